package dev.gatehouse.controlapi.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every state-changing call leaves an entry; /audit shows each tenant's entries to those allowed. */
class AuditIT extends ControlApiTest {

    @Test
    void aChangeIsRecordedWithWhoWhatBeforeAfterRequestAndAddress() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        String user = admin.api().post("/users", map("tenant_id", tenant.id(), "username", "audited")).text("id");
        Api.Response patched = admin.api().withHeader("X-Forwarded-For", "192.0.2.44")
                .patch("/users/" + user, map("display_name", "Audited Person"));
        assertThat(patched.status()).isEqualTo(200);

        JsonNode entries = root.get("/audit?tenant_id=" + tenant.id() + "&target_id=" + user).json().path("items");
        assertThat(entries.size()).isEqualTo(2);
        JsonNode update = entries.get(0);
        assertThat(update.path("action").asString()).isEqualTo("user.update");
        assertThat(update.path("actor_id").asString()).isEqualTo(admin.id().toString());
        assertThat(update.path("actor_name").asString()).isEqualTo(admin.username());
        assertThat(update.path("tenant_id").asString()).isEqualTo(tenant.id().toString());
        assertThat(update.path("before").path("display_name").isNull()).isTrue();
        assertThat(update.path("after").path("display_name").asString()).isEqualTo("Audited Person");
        assertThat(update.path("request_id").asString()).isEqualTo(patched.header("X-Request-Id"));
        assertThat(update.path("client_ip").asString()).isEqualTo("192.0.2.44");
        assertThat(entries.get(1).path("action").asString()).isEqualTo("user.create");

        String at = update.path("occurred_at").asString();
        String scope = "/audit?tenant_id=" + tenant.id() + "&target_id=" + user + "&action=user.update";
        assertThat(root.get(scope + "&since=" + at).json().path("items").size()).isEqualTo(1);
        assertThat(root.get(scope + "&until=" + at).json().path("items").size()).isZero();
        assertThat(root.get(scope + "&actor_id=" + admin.id()).json().path("total").asLong()).isEqualTo(1);
        assertThat(root.get(scope + "&target_type=plan").json().path("total").asLong()).isZero();
    }

    @Test
    void aRefusedChangeLeavesNoEntryAndNoChange() {
        Tenant tenant = newTenant();
        Member viewer = member(tenant, "viewer");
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "untouched")).text("id");
        assertThat(viewer.api().patch("/users/" + user, map("display_name", "x")).status()).isEqualTo(403);

        JsonNode entries = root.get("/audit?target_id=" + user).json().path("items");
        assertThat(entries.size()).isEqualTo(1);
        assertThat(entries.get(0).path("action").asString()).isEqualTo("user.create");
    }

    @Test
    void auditIsPagedFilteredAndScopedToTheCallersTenants() {
        Tenant mine = newTenant();
        Tenant theirs = newTenant();
        Member owner = member(mine, "owner");
        for (int i = 0; i < 3; i++) {
            owner.api().post("/users", map("tenant_id", mine.id(), "username", "paged-" + i));
        }
        root.post("/users", map("tenant_id", theirs.id(), "username", "elsewhere"));

        Api.Response page = owner.api().get("/audit?action=user.create&limit=2&actor_id=" + owner.id());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("items").size()).isEqualTo(2);
        assertThat(page.json().path("total").asLong()).isEqualTo(3);
        for (JsonNode entry : owner.api().get("/audit?limit=200").json().path("items")) {
            assertThat(entry.path("tenant_id").asString()).isEqualTo(mine.id().toString());
        }
        Api.Response elsewhere = owner.api().get("/audit?tenant_id=" + theirs.id());
        assertThat(elsewhere.status()).isEqualTo(200);
        assertThat(elsewhere.json().path("items").size()).isZero();
        assertThat(member(mine, "viewer").api().get("/audit").status()).isEqualTo(403);
    }

    @Test
    void theAuditTrailCannotBeRewrittenThroughTheApi() {
        assertThat(root.delete("/audit").status()).isIn(404, 405);
        assertThat(root.patch("/audit", map("action", "x")).status()).isIn(404, 405);
    }
}

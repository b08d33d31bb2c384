package dev.gatehouse.controlapi.apitoken;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Scoped API tokens: a subset of their owner's permissions in one tenant, shown once, revocable. */
class ApiTokenIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aTokenActsWithinItsScopesAndIsStoredOnlyAsAHash() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        Api.Response created = admin.api().post("/api-tokens", map("name", "billing export",
                "tenant_id", tenant.id(), "permissions", List.of("users:read"), "expires_in_days", 30));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String token = created.text("token");
        assertThat(token).startsWith("gha_");
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to(?, 'UTF8'))")
                .param(token).query(Long.class).single()).isEqualTo(1);

        Api automation = anonymous.as(token);
        assertThat(automation.get("/users?tenant_id=" + tenant.id()).status()).isEqualTo(200);
        assertThat(automation.post("/users", map("tenant_id", tenant.id(), "username", "by-token")).status())
                .isEqualTo(403);
        // The secret is never listed again.
        assertThat(admin.api().get("/api-tokens").body()).doesNotContain(token);
    }

    @Test
    void aTokenCannotHoldMoreThanItsCreatorOrBeMadeByAnotherToken() {
        Tenant tenant = newTenant();
        Member viewer = member(tenant, "viewer");
        Api.Response tooMuch = viewer.api().post("/api-tokens", map("name", "x", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:DELETE"), "expires_in_days", 1));
        assertThat(tooMuch.status()).isEqualTo(403);

        String token = viewer.api().post("/api-tokens", map("name", "ok", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).text("token");
        assertThat(anonymous.as(token).post("/api-tokens", map("name", "chained", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).status()).isEqualTo(403);

        Api.Response badScope = viewer.api().post("/api-tokens", map("name", "x", "tenant_id", tenant.id(),
                "permissions", List.of("EVERYTHING"), "expires_in_days", 1));
        assertThat(badScope.status()).isEqualTo(400);
        assertThat(badScope.text("detail")).contains("permissions");
    }

    @Test
    void aRevokedExpiredOrOrphanedTokenIsRefused() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        Api.Response created = admin.api().post("/api-tokens", map("name", "short-lived", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1));
        String token = created.text("token");
        assertThat(anonymous.as(token).get("/users").status()).isEqualTo(200);

        assertThat(admin.api().delete("/api-tokens/" + created.text("id")).status()).isEqualTo(204);
        assertThat(anonymous.as(token).get("/users").status()).isEqualTo(401);

        String expiring = admin.api().post("/api-tokens", map("name", "expired", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).text("token");
        jdbc.sql("UPDATE api_tokens SET expires_at = now() - interval '1 second'"
                + " WHERE token_hash = sha256(convert_to(?, 'UTF8'))").param(expiring).update();
        assertThat(anonymous.as(expiring).get("/users").status()).isEqualTo(401);

        String orphan = admin.api().post("/api-tokens", map("name", "owner disabled", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).text("token");
        root.patch("/users/" + admin.id(), map("status", "disabled"));
        assertThat(anonymous.as(orphan).get("/users").status()).isEqualTo(401);

        // Disabling is a security action: re-enabling the person does not bring the token back.
        root.patch("/users/" + admin.id(), map("status", "active"));
        Api.Response afterEnable = anonymous.as(orphan).get("/users");
        assertThat(afterEnable.status()).isEqualTo(401);
        assertThat(afterEnable.text("detail")).isEqualTo("unknown, expired or revoked API token");
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL")
                .param(admin.id()).query(Long.class).single()).isZero();
        String fresh = login(tenant.slug(), admin.username(), PASSWORD).text("access_token");
        String made = anonymous.as(fresh).post("/api-tokens", map("name", "after enable", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).text("token");
        assertThat(anonymous.as(made).get("/users").status()).isEqualTo(200);
    }

    @Test
    void anotherUsersTokenCannotBeRevoked() {
        Tenant tenant = newTenant();
        Member a = member(tenant, "admin");
        Member b = member(tenant, "admin");
        String id = a.api().post("/api-tokens", map("name", "mine", "tenant_id", tenant.id(),
                "permissions", List.of("USERS:READ"), "expires_in_days", 1)).text("id");
        assertThat(b.api().delete("/api-tokens/" + id).status()).isEqualTo(404);
    }
}

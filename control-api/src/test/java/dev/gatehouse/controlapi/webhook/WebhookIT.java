package dev.gatehouse.controlapi.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.domain.support.DataKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** /webhooks: tenant-scoped CRUD, a secret shown only when made and stored only sealed, and the delivery log. */
class WebhookIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataKey dataKey;

    @Test
    void aWebhookIsMadeReadChangedAndDeletedAndItsSecretIsShownOnlyWhenMade() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        Api.Response created = admin.api().post("/webhooks", map("tenant_id", tenant.id(), "name", "Billing",
                "url", "https://hooks.example.com/gatehouse?k=1", "events", List.of("usage_100", "usage_80", "usage_80")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode webhook = created.json().path("webhook");
        String id = webhook.path("id").asString();
        String secret = created.text("secret");
        assertThat(secret).matches("^[A-Za-z0-9_-]{43}$");
        assertThat(webhook.path("tenant_id").asString()).isEqualTo(tenant.id().toString());
        assertThat(webhook.path("name").asString()).isEqualTo("Billing");
        assertThat(webhook.path("url").asString()).isEqualTo("https://hooks.example.com/gatehouse?k=1");
        assertThat(strings(webhook.path("events"))).containsExactly("usage_80", "usage_100");
        assertThat(webhook.path("enabled").asBoolean()).isTrue();
        assertThat(webhook.path("created_at").asString()).isNotBlank();
        assertThat(webhook.has("secret")).isFalse();

        // Stored sealed, bound to the webhook's id: not the secret, and opened only with that id.
        byte[] stored = storedSecret(id);
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(secret);
        assertThat(dataKey.open(stored, id.getBytes(StandardCharsets.UTF_8)))
                .hasValueSatisfying(plain -> assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(secret));
        assertThat(dataKey.open(stored, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8))).isEmpty();

        Api.Response read = admin.api().get("/webhooks/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(secret).doesNotContain("\"secret\"");
        Api.Response listed = admin.api().get("/webhooks?tenant_id=" + tenant.id());
        assertThat(listed.json().path("total").asLong()).isEqualTo(1);
        assertThat(listed.json().path("items").get(0).path("id").asString()).isEqualTo(id);
        assertThat(listed.body()).doesNotContain(secret);

        Api.Response changed = admin.api().patch("/webhooks/" + id, map("name", "Billing v2",
                "events", List.of("node_offline"), "enabled", false));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.text("name")).isEqualTo("Billing v2");
        assertThat(changed.text("url")).isEqualTo("https://hooks.example.com/gatehouse?k=1");
        assertThat(strings(changed.json().path("events"))).containsExactly("node_offline");
        assertThat(changed.json().path("enabled").asBoolean()).isFalse();
        assertThat(changed.body()).doesNotContain(secret);
        assertThat(storedSecret(id)).isEqualTo(stored);

        Api.Response rotated = admin.api().post("/webhooks/" + id + "/secret", null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String next = rotated.text("secret");
        assertThat(next).matches("^[A-Za-z0-9_-]{43}$").isNotEqualTo(secret);
        assertThat(rotated.json().path("webhook").path("name").asString()).isEqualTo("Billing v2");
        assertThat(dataKey.open(storedSecret(id), id.getBytes(StandardCharsets.UTF_8)))
                .hasValueSatisfying(plain -> assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(next));

        assertThat(actions(tenant, id)).containsExactly("webhook.rotate_secret", "webhook.update", "webhook.create");
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE target_id = ?"
                        + " AND (coalesce(after_state::text, '') LIKE ? OR coalesce(after_state::text, '') LIKE ?)")
                .params(id, "%" + secret + "%", "%" + next + "%").query(Long.class).single()).isZero();

        assertThat(admin.api().delete("/webhooks/" + id).status()).isEqualTo(204);
        assertThat(admin.api().get("/webhooks/" + id).status()).isEqualTo(404);
        assertThat(actions(tenant, id)).first().isEqualTo("webhook.delete");
    }

    @Test
    void invalidNamesUrlsAndEventsAreRefusedNamingTheField() {
        Tenant tenant = newTenant();
        Map<String, Object> ok = map("tenant_id", tenant.id(), "name", "ok", "url", "http://hooks.example.com",
                "events", List.of("expired"));
        List<Object[]> cases = List.of(
                new Object[] {"url", "ftp://hooks.example.com/x"},
                new Object[] {"url", "hooks.example.com/x"},
                new Object[] {"url", "https:///no-host"},
                new Object[] {"url", "https://exa mple.com/"},
                new Object[] {"url", "mailto:ops@example.com"},
                new Object[] {"url", "https://example.com/" + "a".repeat(2000)},
                new Object[] {"url", ""},
                new Object[] {"name", ""},
                new Object[] {"name", "  "},
                new Object[] {"name", "n".repeat(101)},
                new Object[] {"events", List.of()},
                new Object[] {"events", List.of("usage_50")},
                new Object[] {"events", null});
        for (Object[] c : cases) {
            Map<String, Object> body = new java.util.LinkedHashMap<>(ok);
            body.put((String) c[0], c[1]);
            Api.Response refused = root.post("/webhooks", body);
            assertThat(refused.status()).as(c[0] + "=" + c[1] + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.header("content-type")).startsWith("application/problem+json");
            assertThat(refused.text("detail")).as(refused.body()).startsWith((String) c[0]);
        }
        assertThat(root.get("/webhooks?tenant_id=" + tenant.id()).json().path("total").asLong()).isZero();

        String id = root.post("/webhooks", ok).json().path("webhook").path("id").asString();
        for (Map<String, Object> change : List.of(map("url", "gopher://x.example.com"), map("events", List.of()),
                map("events", List.of("EXPIRED")), map("name", " "), map("secret", "mine"))) {
            Api.Response refused = root.patch("/webhooks/" + id, change);
            assertThat(refused.status()).as(change + ": " + refused.body()).isEqualTo(400);
        }
        assertThat(root.get("/webhooks/" + id).text("url")).isEqualTo("http://hooks.example.com");
    }

    @Test
    void aNameIsUniqueInItsTenantWhateverItsCase() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        assertThat(create(tenant, "Alerts").status()).isEqualTo(201);
        Api.Response duplicate = create(tenant, "alerts");
        assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(409);
        assertThat(duplicate.text("type")).endsWith("/conflict");
        assertThat(create(other, "ALERTS").status()).isEqualTo(201);

        String second = create(tenant, "Second").json().path("webhook").path("id").asString();
        assertThat(root.patch("/webhooks/" + second, map("name", "ALERTS")).status()).isEqualTo(409);
        assertThat(root.patch("/webhooks/" + second, map("name", "second")).status()).isEqualTo(200);
    }

    @Test
    void anotherTenantsAdminFindsNothingAndAnOperatorMayNotTouchWebhooks() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        String id = create(tenant, "ops").json().path("webhook").path("id").asString();
        Member stranger = member(other, "admin");
        for (Api.Response response : List.of(stranger.api().get("/webhooks/" + id),
                stranger.api().patch("/webhooks/" + id, map("enabled", false)),
                stranger.api().post("/webhooks/" + id + "/secret", null),
                stranger.api().get("/webhooks/" + id + "/deliveries"),
                stranger.api().delete("/webhooks/" + id),
                stranger.api().post("/webhooks", map("tenant_id", tenant.id(), "name", "x",
                        "url", "https://x.example.com", "events", List.of("expired"))))) {
            assertThat(response.status()).as(response.body()).isEqualTo(404);
        }
        assertThat(stranger.api().get("/webhooks?tenant_id=" + tenant.id()).json().path("total").asLong()).isZero();
        assertThat(stranger.api().get("/webhooks").json().path("total").asLong()).isZero();

        Member operator = member(tenant, "operator");
        assertThat(operator.api().get("/webhooks").status()).isEqualTo(403);
        assertThat(operator.api().get("/webhooks/" + id).status()).isEqualTo(403);
        assertThat(operator.api().post("/webhooks", map("tenant_id", tenant.id(), "name", "x",
                "url", "https://x.example.com", "events", List.of("expired"))).status()).isEqualTo(403);
        assertThat(operator.api().delete("/webhooks/" + id).status()).isEqualTo(403);

        Member owner = member(tenant, "owner");
        assertThat(owner.api().get("/webhooks/" + id).status()).isEqualTo(200);
        assertThat(root.get("/webhooks/" + id).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void deliveriesAreListedNewestFirstWithTheirNotificationAndFilteredByStatus() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        String id = admin.api().post("/webhooks", map("tenant_id", tenant.id(), "name", "log",
                "url", "https://hooks.example.com", "events", List.of("usage_80", "node_offline")))
                .json().path("webhook").path("id").asString();
        String otherHook = admin.api().post("/webhooks", map("tenant_id", tenant.id(), "name", "other",
                "url", "https://other.example.com", "events", List.of("usage_80")))
                .json().path("webhook").path("id").asString();
        UUID subscription = UUID.randomUUID();
        UUID node = UUID.randomUUID();
        UUID usage = notification(tenant, "usage_80", subscription);
        UUID offline = notification(tenant, "node_offline", node);
        UUID delivered = jdbc.sql("""
                        INSERT INTO webhook_deliveries (webhook_id, notification_id, tenant_id, status, attempts,
                                                        last_attempt_at, last_status_code, delivered_at, created_at)
                        VALUES (?::uuid, ?, ?, 'delivered', 1, now() - interval '59 minutes', 204,
                                now() - interval '59 minutes', now() - interval '1 hour')
                        RETURNING id""")
                .params(id, usage, tenant.id()).query(UUID.class).single();
        UUID pending = jdbc.sql("""
                        INSERT INTO webhook_deliveries (webhook_id, notification_id, tenant_id, status, attempts,
                                                        next_attempt_at, last_attempt_at, last_status_code, last_error,
                                                        created_at)
                        VALUES (?::uuid, ?, ?, 'pending', 2, now() + interval '5 minutes', now(), 503,
                                'answered HTTP 503', now() - interval '1 minute')
                        RETURNING id""")
                .params(id, offline, tenant.id()).query(UUID.class).single();
        jdbc.sql("INSERT INTO webhook_deliveries (webhook_id, notification_id, tenant_id) VALUES (?::uuid, ?, ?)")
                .params(otherHook, usage, tenant.id()).update();

        Api.Response all = admin.api().get("/webhooks/" + id + "/deliveries");
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        assertThat(all.json().path("total").asLong()).isEqualTo(2);
        JsonNode first = all.json().path("items").get(0);
        assertThat(first.path("id").asString()).isEqualTo(pending.toString());
        assertThat(first.path("notification_id").asString()).isEqualTo(offline.toString());
        assertThat(first.path("kind").asString()).isEqualTo("node_offline");
        assertThat(first.path("subject_id").asString()).isEqualTo(node.toString());
        assertThat(first.path("status").asString()).isEqualTo("pending");
        assertThat(first.path("attempts").asInt()).isEqualTo(2);
        assertThat(first.path("next_attempt_at").asString()).isNotBlank();
        assertThat(first.path("last_attempt_at").asString()).isNotBlank();
        assertThat(first.path("last_status_code").asInt()).isEqualTo(503);
        assertThat(first.path("last_error").asString()).isEqualTo("answered HTTP 503");
        assertThat(first.path("delivered_at").isNull()).isTrue();
        assertThat(first.path("created_at").asString()).isNotBlank();
        JsonNode second = all.json().path("items").get(1);
        assertThat(second.path("id").asString()).isEqualTo(delivered.toString());
        assertThat(second.path("kind").asString()).isEqualTo("usage_80");
        assertThat(second.path("subject_id").asString()).isEqualTo(subscription.toString());
        assertThat(second.path("last_status_code").asInt()).isEqualTo(204);
        assertThat(second.path("delivered_at").asString()).isNotBlank();
        assertThat(all.body()).doesNotContain("in-the-payload").doesNotContain("period_key").doesNotContain("\"secret\"");

        Api.Response onlyDelivered = admin.api().get("/webhooks/" + id + "/deliveries?status=delivered");
        assertThat(onlyDelivered.json().path("total").asLong()).isEqualTo(1);
        assertThat(onlyDelivered.json().path("items").get(0).path("id").asString()).isEqualTo(delivered.toString());
        assertThat(admin.api().get("/webhooks/" + id + "/deliveries?status=failed").json().path("total").asLong())
                .isZero();
        Api.Response paged = admin.api().get("/webhooks/" + id + "/deliveries?limit=1&offset=1");
        assertThat(paged.json().path("total").asLong()).isEqualTo(2);
        assertThat(paged.json().path("items").get(0).path("id").asString()).isEqualTo(delivered.toString());
        Api.Response badStatus = admin.api().get("/webhooks/" + id + "/deliveries?status=lost");
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.text("detail")).startsWith("status");
        assertThat(root.get("/webhooks/" + UUID.randomUUID() + "/deliveries").status()).isEqualTo(404);
    }

    private Api.Response create(Tenant tenant, String name) {
        return root.post("/webhooks", map("tenant_id", tenant.id(), "name", name, "url", "https://hooks.example.com",
                "events", List.of("expiring")));
    }

    private UUID notification(Tenant tenant, String kind, UUID subject) {
        return jdbc.sql("""
                        INSERT INTO notifications (tenant_id, kind, subject_id, period_key, payload)
                        VALUES (?, ?, ?, 'p1', '{"marker": "in-the-payload"}'::jsonb) RETURNING id""")
                .params(tenant.id(), kind, subject).query(UUID.class).single();
    }

    private byte[] storedSecret(String id) {
        return jdbc.sql("SELECT secret FROM webhooks WHERE id = ?::uuid").param(id).query(byte[].class).single();
    }

    private List<String> actions(Tenant tenant, String id) {
        return jdbc.sql("SELECT action FROM audit_logs WHERE tenant_id = ? AND target_id = ? ORDER BY id DESC")
                .params(tenant.id(), id).query(String.class).list();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}

package dev.gatehouse.controlapi.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Traffic reported over HTTP is counted once, and the traffic reads show it, each tenant only its own. */
class TrafficIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    private record Setup(Tenant tenant, String node, String subscription, String user, String credential) {
    }

    private Setup served() {
        Tenant tenant = newTenant();
        String node = node(tenant, null);
        JsonNode created = subscribe(tenant, plan(tenant, 10_000L));
        String subscription = created.path("subscription").path("id").asString();
        String credential = jdbc.sql("SELECT id::text FROM engine_credentials WHERE subscription_id = ?::uuid"
                + " AND engine = 'xray'").param(subscription).query(String.class).single();
        return new Setup(tenant, node, subscription, created.path("subscription").path("user_id").asString(),
                credential);
    }

    private static Map<String, Object> sample(String credential, long seq, long up, long down) {
        Instant end = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
        return map("credential_id", credential, "engine", "xray", "ts_start", end.minusSeconds(10).toString(),
                "ts_end", end.toString(), "counter_seq", seq, "bytes_up", up, "bytes_down", down);
    }

    /** A platform admin's API token that may report traffic (no built-in role holds TRAFFIC:CREATE). */
    private Api producer(Tenant tenant) {
        String token = root.post("/api-tokens", map("name", "producer", "tenant_id", tenant.id(),
                "permissions", List.of("TRAFFIC:CREATE", "TRAFFIC:READ"), "expires_in_days", 1)).text("token");
        return anonymous.as(token);
    }

    @Test
    void samplesPostedOverHttpAreCountedOnceAndShowInEveryRead() {
        Setup s = served();
        Api producer = producer(s.tenant());
        Map<String, Object> body = map("node_id", s.node(), "samples", List.of(sample(s.credential(), 1, 100, 200),
                sample(s.credential(), 2, 300, 400), sample(UUID.randomUUID().toString(), 3, 1, 1)));
        Api.Response first = producer.post("/traffic/events", body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("accepted").asInt()).isEqualTo(2);
        assertThat(first.json().path("rejected").get(0).path("index").asInt()).isEqualTo(2);
        Api.Response again = producer.post("/traffic/events", body);
        assertThat(again.json().path("accepted").asInt()).isZero();
        assertThat(again.json().path("duplicates").asInt()).isEqualTo(2);

        Api.Response usageResponse = root.get("/traffic/usage?subscription_id=" + s.subscription());
        assertThat(usageResponse.status()).as(usageResponse.body()).isEqualTo(200);
        JsonNode usage = usageResponse.json().path("items").get(0);
        assertThat(usage.path("used_bytes_up").asLong()).isEqualTo(400);
        assertThat(usage.path("used_bytes_down").asLong()).isEqualTo(600);
        assertThat(usage.path("quota_bytes").asLong()).isEqualTo(10_000);

        String range = "from=" + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(60);
        JsonNode byUser = root.get("/traffic/summary?" + range + "&group_by=user&tenant_id=" + s.tenant().id())
                .json().path("items");
        assertThat(byUser).hasSize(1);
        assertThat(byUser.get(0).path("key").asString()).isEqualTo(s.user());
        assertThat(byUser.get(0).path("bytes_up").asLong() + byUser.get(0).path("bytes_down").asLong())
                .isEqualTo(1000);
        assertThat(root.get("/traffic/rollups?" + range + "&subscription_id=" + s.subscription()).status())
                .isEqualTo(200);

        Member stranger = member(newTenant(), "owner");
        assertThat(stranger.api().get("/traffic/usage?subscription_id=" + s.subscription()).json().path("items"))
                .isEmpty();
        assertThat(stranger.api().get("/traffic/summary?" + range + "&group_by=tenant").json().path("items"))
                .isEmpty();
        assertThat(member(s.tenant(), "viewer").api().get("/traffic/summary?" + range).json().path("items"))
                .hasSize(1);
    }

    @Test
    void reportingNeedsTheTrafficPermissionOnTheNodesTenantAndGoodSamples() {
        Setup s = served();
        Member owner = member(s.tenant(), "owner");
        assertThat(owner.api().post("/traffic/events", map("node_id", s.node(), "samples",
                List.of(sample(s.credential(), 1, 1, 1)))).status()).isEqualTo(403);
        Api other = producer(newTenant());
        assertThat(other.post("/traffic/events", map("node_id", s.node(), "samples",
                List.of(sample(s.credential(), 1, 1, 1)))).status()).isEqualTo(404);
        Api producer = producer(s.tenant());
        Api.Response negative = producer.post("/traffic/events", map("node_id", s.node(), "samples",
                List.of(sample(s.credential(), 1, -5, 1))));
        assertThat(negative.status()).isEqualTo(400);
        Api.Response future = producer.post("/traffic/events", map("node_id", s.node(), "samples", List.of(map(
                "credential_id", s.credential(), "engine", "xray", "ts_start", Instant.now().toString(),
                "ts_end", Instant.now().plusSeconds(7200).toString(), "counter_seq", 9, "bytes_up", 1,
                "bytes_down", 1))));
        assertThat(future.json().path("rejected").get(0).path("reason").asString()).contains("future");
        assertThat(root.get("/traffic/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").status())
                .isEqualTo(400);
        assertThat(root.get("/traffic/summary?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&group_by=planet")
                .status()).isEqualTo(400);
        assertThat(jdbc.sql("SELECT used_bytes_up FROM subscriptions WHERE id = ?::uuid").param(s.subscription())
                .query(Long.class).single()).isZero();
    }
}

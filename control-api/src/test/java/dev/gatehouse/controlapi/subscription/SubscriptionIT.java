package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEvents;
import dev.gatehouse.testkit.RedisChannel;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.RealPeers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Subscriptions end to end: credentials, assignment, states and the desired state of their nodes. */
class SubscriptionIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DesiredState desired;

    @Autowired
    RedisConnectionFactory redis;

    @Test
    void aNewSubscriptionGetsWorkingCredentialsANodeAndIsInItsDesiredState() throws Exception {
        Tenant tenant = newTenant();
        String node = node(tenant, 10);
        JsonNode created = subscribe(tenant, plan(tenant, 10_000_000L));
        JsonNode sub = created.path("subscription");
        assertThat(sub.path("state").asString()).isEqualTo("active");
        assertThat(sub.path("nodes").get(0).path("node_id").asString()).isEqualTo(node);
        assertThat(sub.path("nodes").get(0).path("role").asString()).isEqualTo("primary");
        assertThat(created.path("subscription_token").asString()).startsWith("ghs_");

        UUID id = UUID.fromString(sub.path("id").asString());
        var xray = jdbc.sql("SELECT xray_uuid FROM engine_credentials WHERE subscription_id = ? AND engine = 'xray'")
                .param(id).query(UUID.class).single();
        assertThat(xray.version()).isEqualTo(4);
        var wg = jdbc.sql("""
                        SELECT wg_private_key, wg_public_key, host(wg_address) FROM engine_credentials
                        WHERE subscription_id = ? AND engine = 'wireguard'""")
                .param(id).query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3))).single();
        assertThat(wg.get(2)).startsWith("10.66.");
        // The key pair is what the real wg tool derives from the private key.
        Process pubkey = new ProcessBuilder(RealPeers.require("wg", "wireguard-tools").toString(), "pubkey").start();
        pubkey.getOutputStream().write((wg.get(0) + "\n").getBytes(StandardCharsets.US_ASCII));
        pubkey.getOutputStream().close();
        assertThat(new String(pubkey.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim())
                .isEqualTo(wg.get(1));

        UUID nodeId = UUID.fromString(node);
        assertThat(desired.truth(nodeId)).hasSize(2);
        assertThat(desired.logged(nodeId)).isEqualTo(desired.truth(nodeId));
    }

    @Test
    void suspendingRemovesTheCredentialsFromEveryNodeAndTellsTheCollector() throws Exception {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        String sub = subscribe(tenant, plan(tenant, null), "redundancy", 0).path("subscription").path("id")
                .asString();
        long before = revision(node);
        try (RedisChannel notices = RedisChannel.listen(NodeEvents.channel(redisNamespace()))) {
            Api.Response suspended = root.post("/subscriptions/" + sub + "/suspend", map("reason", "unpaid"));
            assertThat(suspended.status()).isEqualTo(200);
            assertThat(suspended.text("state")).isEqualTo("suspended");
            assertThat(desired.logged(node)).isEmpty();
            assertThat(revision(node)).isEqualTo(before + 1);
            assertThat(notices.nextStartingWith("revision " + node, 5, TimeUnit.SECONDS))
                    .isEqualTo("revision " + node + " " + (before + 1));
        }

        assertThat(root.post("/subscriptions/" + sub + "/suspend", null).status()).isEqualTo(409);
        assertThat(root.post("/subscriptions/" + sub + "/resume", null).text("state")).isEqualTo("active");
        assertThat(desired.logged(node)).hasSize(2).isEqualTo(desired.truth(node));
    }

    @Test
    void revokingReplacesCredentialsAndToken() {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        JsonNode created = subscribe(tenant, plan(tenant, null));
        String sub = created.path("subscription").path("id").asString();
        Set<DesiredState.Entry> old = new TreeSet<>(desired.logged(node));

        Api.Response revoked = root.post("/subscriptions/" + sub + "/revoke", null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.text("subscription_token")).isNotEqualTo(created.path("subscription_token").asString());
        Set<DesiredState.Entry> now = desired.logged(node);
        assertThat(now).hasSize(2).doesNotContainAnyElementsOf(old).isEqualTo(desired.truth(node));
    }

    @Test
    void theEngineOverrideDecidesWhatNodesServe() {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        JsonNode sub = subscribe(tenant, plan(tenant, null)).path("subscription");
        String user = sub.path("user_id").asString();

        Api.Response xrayOnly = root.post("/users/" + user + "/engines", map("engines", List.of("xray")));
        assertThat(xrayOnly.status()).as(xrayOnly.body()).isEqualTo(200);
        assertThat(desired.logged(node)).extracting(DesiredState.Entry::engine).containsExactly(Engine.XRAY);

        assertThat(root.post("/users/" + user + "/engines", map("engines", List.of("openvpn"))).status())
                .isEqualTo(400);
        assertThat(root.delete("/users/" + user + "/engines").status()).isEqualTo(200);
        assertThat(desired.logged(node)).hasSize(2);
    }

    @Test
    void anOverrideOutsideAPlanThatForbidsItIsRefused() {
        Tenant tenant = newTenant();
        node(tenant, null);
        String xrayPlan = root.post("/plans", map("tenant_id", tenant.id(), "name", "xray only",
                "engines", List.of("xray"))).text("id");
        String user = subscribe(tenant, xrayPlan).path("subscription").path("user_id").asString();
        Api.Response refused = root.post("/users/" + user + "/engines", map("engines", List.of("xray", "wireguard")));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("engines");
    }

    @Test
    void disablingANodeMovesItsSubscriptionsElsewhere() {
        Tenant tenant = newTenant();
        UUID first = UUID.fromString(node(tenant, null));
        String sub = subscribe(tenant, plan(tenant, null), "strategy", "manual", "node_ids", List.of(first))
                .path("subscription").path("id").asString();
        UUID second = UUID.fromString(node(tenant, null));

        assertThat(root.post("/nodes/" + first + "/disable", null).text("status")).isEqualTo("disabled");

        JsonNode moved = root.get("/subscriptions/" + sub).json();
        assertThat(moved.path("nodes").get(0).path("node_id").asString()).isEqualTo(second.toString());
        assertThat(desired.logged(first)).isEmpty();
        assertThat(desired.logged(second)).hasSize(2);
    }

    @Test
    void badInputIsRefusedByNameAndNothingIsWritten() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        node(tenant, null);
        String plan = plan(tenant, null);
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "bad-input")).text("id");
        long before = count();

        assertField(root.post("/plans", map("tenant_id", tenant.id(), "name", "neg", "quota_bytes", -1,
                "engines", List.of("xray"))), "quota_bytes");
        assertThat(root.post("/plans", "{\"tenant_id\":\"" + tenant.id() + "\",\"name\":\"huge\","
                + "\"quota_bytes\":9223372036854775808,\"engines\":[\"xray\"]}").status()).isEqualTo(400);
        assertField(root.post("/plans", map("tenant_id", tenant.id(), "name", "bad", "engines", List.of("openvpn"))),
                "engines");
        assertField(root.post("/subscriptions", map("user_id", user, "plan_id", plan,
                "expires_at", "2001-01-01T00:00:00Z")), "expires_at");
        assertField(root.post("/subscriptions", map("user_id", user, "plan_id", plan, "strategy", "manual")),
                "node_ids");
        assertField(root.post("/subscriptions", map("user_id", user, "plan_id", plan, "strategy", "manual",
                "node_ids", List.of())), "node_ids");
        assertThat(root.post("/subscriptions", map("user_id", user, "plan_id", plan, "strategy", "manual",
                "node_ids", List.of(node(other, null)))).status()).isEqualTo(404);
        assertThat(root.post("/subscriptions", map("user_id", user, "plan_id", plan(other, null))).status())
                .isEqualTo(404);
        assertThat(count()).isEqualTo(before);

        String name = "dup-" + UUID.randomUUID();
        assertThat(root.post("/plans", map("tenant_id", tenant.id(), "name", name, "engines", List.of("xray")))
                .status()).isEqualTo(201);
        assertThat(root.post("/plans", map("tenant_id", tenant.id(), "name", name.toUpperCase(),
                "engines", List.of("xray"))).status()).isEqualTo(409);

        subscribe(tenant, plan);
        Api.Response inUse = root.delete("/plans/" + plan);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.text("detail")).contains("still used");
    }

    @Test
    void aFullNodeRefusesAndTheLastSlotGoesToExactlyOneOfTwoRacingRequests() throws Exception {
        Tenant tenant = newTenant();
        String node = node(tenant, 1);
        String plan = plan(tenant, null);
        String a = root.post("/users", map("tenant_id", tenant.id(), "username", "racer-a")).text("id");
        String b = root.post("/users", map("tenant_id", tenant.id(), "username", "racer-b")).text("id");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> root.post("/subscriptions", map("user_id", a, "plan_id", plan,
                    "strategy", "manual", "node_ids", List.of(node))).status());
            var second = pool.submit(() -> root.post("/subscriptions", map("user_id", b, "plan_id", plan,
                    "strategy", "manual", "node_ids", List.of(node))).status());
            assertThat(List.of(first.get(), second.get())).containsExactlyInAnyOrder(201, 409);
        } finally {
            pool.shutdownNow();
        }
        assertThat(root.get("/nodes/" + node).json().path("assigned").asLong()).isEqualTo(1);
    }

    @Test
    void wireGuardAddressesStayUniqueUnderConcurrentCreation() throws Exception {
        Tenant tenant = newTenant();
        node(tenant, null);
        String plan = plan(tenant, null);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String user = root.post("/users", map("tenant_id", tenant.id(), "username", "many-" + i)).text("id");
                results.add(pool.submit(() -> root.post("/subscriptions", map("user_id", user, "plan_id", plan))
                        .status()));
            }
            for (var r : results) {
                assertThat(r.get()).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> addresses = jdbc.sql("SELECT host(wg_address) FROM engine_credentials WHERE tenant_id = ?"
                + " AND engine = 'wireguard' AND status = 'active'").param(tenant.id()).query(String.class).list();
        assertThat(addresses).hasSize(16).doesNotHaveDuplicates();
    }

    @Test
    void bulkOperationsAreAllOrNothingWithOneAuditEntryEach() {
        Tenant tenant = newTenant();
        Tenant other = newTenant();
        node(tenant, null);
        node(other, null);
        String plan = plan(tenant, 1_000L);
        String s1 = subscribe(tenant, plan).path("subscription").path("id").asString();
        String s2 = subscribe(tenant, plan).path("subscription").path("id").asString();
        String foreign = subscribe(other, plan(other, null)).path("subscription").path("id").asString();
        Member admin = member(tenant, "admin");

        Api.Response mixed = admin.api().post("/subscriptions/bulk/suspend",
                map("subscription_ids", List.of(s1, foreign, s2)));
        assertThat(mixed.status()).isEqualTo(404);
        assertThat(root.get("/subscriptions/" + s1).text("state")).isEqualTo("active");

        Api.Response suspended = admin.api().post("/subscriptions/bulk/suspend",
                map("subscription_ids", List.of(s1, s2)));
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.json().path("changed").asInt()).isEqualTo(2);
        for (String s : List.of(s1, s2)) {
            assertThat(root.get("/audit?target_id=" + s + "&action=subscription.suspend").json().path("total")
                    .asLong()).isEqualTo(1);
        }

        Instant before = Instant.parse(root.get("/subscriptions/" + s1).text("expires_at"));
        assertThat(admin.api().post("/subscriptions/bulk/extend", map("subscription_ids", List.of(s1), "days", 10))
                .status()).isEqualTo(200);
        assertThat(Instant.parse(root.get("/subscriptions/" + s1).text("expires_at")))
                .isAfter(before.plus(java.time.Duration.ofDays(9)));
        assertThat(admin.api().post("/subscriptions/bulk/add-quota", map("subscription_ids", List.of(s2),
                "bytes", 5_000L)).json().path("subscriptions").get(0).path("quota_bytes").asLong()).isEqualTo(6_000L);
    }

    @Test
    void bulkCreationMakesEveryUserAndSubscriptionOrNone() {
        Tenant tenant = newTenant();
        node(tenant, null);
        String plan = plan(tenant, 5_000_000_000L);
        Api.Response created = root.post("/users/bulk", map("tenant_id", tenant.id(),
                "usernames", List.of("alice.vpn", "bob.vpn", "carol.vpn"),
                "template", map("plan_id", plan, "engines", List.of("wireguard"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().size()).isEqualTo(3);
        for (JsonNode made : created.json()) {
            assertThat(made.path("subscription").path("engines").get(0).asString()).isEqualTo("wireguard");
            assertThat(made.path("subscription_token").asString()).startsWith("ghs_");
            assertThat(root.get("/audit?target_id=" + made.path("user_id").asString()).json().path("total").asLong())
                    .isEqualTo(1);
        }

        long before = count();
        Api.Response clash = root.post("/users/bulk", map("tenant_id", tenant.id(),
                "usernames", List.of("dave.vpn", "ALICE.vpn"), "template", map("plan_id", plan)));
        assertThat(clash.status()).isEqualTo(409);
        assertThat(count()).isEqualTo(before);
        assertThat(root.get("/users?tenant_id=" + tenant.id() + "&q=dave").json().path("total").asLong()).isZero();

        Tenant other = newTenant();
        Api.Response foreignPlan = root.post("/users/bulk", map("tenant_id", tenant.id(),
                "usernames", List.of("erin.vpn"), "template", map("plan_id", plan(other, null))));
        assertThat(foreignPlan.status()).isEqualTo(404);
    }

    @Test
    void anExhaustedSubscriptionMovesOntoItsNextPlanAndKeepsItsLifetimeUsage() {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        String next = root.post("/plans", map("tenant_id", tenant.id(), "name", "after", "quota_bytes", 5000,
                "duration_days", 7, "engines", List.of("xray"))).text("id");
        String first = root.post("/plans", map("tenant_id", tenant.id(), "name", "first", "quota_bytes", 1000,
                "duration_days", 30, "engines", List.of("xray", "wireguard"), "next_plan_id", next)).text("id");
        String sub = subscribe(tenant, first).path("subscription").path("id").asString();
        jdbc.sql("UPDATE subscriptions SET used_bytes_up = 400, used_bytes_down = 500,"
                + " lifetime_bytes_up = 400, lifetime_bytes_down = 500 WHERE id = ?").param(UUID.fromString(sub))
                .update();

        JsonNode moved = root.patch("/subscriptions/" + sub, map("quota_bytes", 900)).json();

        assertThat(moved.path("plan_id").asString()).isEqualTo(next);
        assertThat(moved.path("state").asString()).isEqualTo("active");
        assertThat(moved.path("quota_bytes").asLong()).isEqualTo(5000);
        assertThat(moved.path("used_bytes_up").asLong() + moved.path("used_bytes_down").asLong()).isZero();
        assertThat(moved.path("lifetime_bytes_up").asLong() + moved.path("lifetime_bytes_down").asLong())
                .isEqualTo(900);
        assertThat(moved.path("engines").toString()).isEqualTo("[\"xray\"]");
        assertThat(desired.logged(node)).extracting(DesiredState.Entry::engine).containsExactly(Engine.XRAY);
        assertThat(root.get("/audit?target_id=" + sub + "&action=subscription.next_plan").json().path("total")
                .asLong()).isEqualTo(1);
    }

    @Test
    void nodeNamesAreUniqueWithinATenantAndListsSort() {
        Tenant tenant = newTenant();
        Map<String, Object> body = map("tenant_id", tenant.id(), "name", "Same-Name", "address", "a.example.net",
                "engines", map("xray", map("inbounds", List.of(map("tag", "in", "protocol", "vmess", "port", 1)))));
        assertThat(root.post("/nodes", body).status()).isEqualTo(201);
        body.put("name", "same-name");
        assertThat(root.post("/nodes", body).status()).isEqualTo(409);
        assertThat(root.post("/nodes", map("tenant_id", tenant.id(), "name", "none", "address", "a",
                "engines", map())).status()).isEqualTo(400);

        root.post("/users", map("tenant_id", tenant.id(), "username", "zed"));
        root.post("/users", map("tenant_id", tenant.id(), "username", "amy"));
        JsonNode asc = root.get("/users?tenant_id=" + tenant.id() + "&sort=username").json().path("items");
        JsonNode desc = root.get("/users?tenant_id=" + tenant.id() + "&sort=-username").json().path("items");
        assertThat(asc.get(0).path("username").asString()).isEqualTo("amy");
        assertThat(desc.get(0).path("username").asString()).isEqualTo("zed");
        assertThat(root.get("/tenants?sort=-created_at").status()).isEqualTo(200);
        assertThat(root.get("/tenants?sort=secret").status()).isEqualTo(400);
    }

    @Test
    void anAdministratorCanReadTheKeptTokenAgainButTheDatabaseHoldsItOnlySealed() {
        Tenant tenant = newTenant();
        node(tenant, null);
        JsonNode created = subscribe(tenant, plan(tenant, null));
        String id = created.path("subscription").path("id").asString();
        String token = created.path("subscription_token").asString();

        Api.Response kept = root.get("/subscriptions/" + id + "/token");
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.text("subscription_token")).isEqualTo(token);
        assertThat(kept.text("path")).isEqualTo("/sub/" + token);
        byte[] sealed = jdbc.sql("SELECT sub_token_ciphertext FROM subscriptions WHERE id = ?")
                .param(UUID.fromString(id)).query(byte[].class).single();
        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(token.substring(4));

        String rotated = root.post("/subscriptions/" + id + "/revoke", null).text("subscription_token");
        assertThat(root.get("/subscriptions/" + id + "/token").text("subscription_token")).isEqualTo(rotated);
        assertThat(member(newTenant(), "owner").api().get("/subscriptions/" + id + "/token").status()).isEqualTo(404);
    }

    private long count() {
        return jdbc.sql("SELECT (SELECT count(*) FROM subscriptions) + (SELECT count(*) FROM engine_credentials)")
                .query(Long.class).single();
    }

    private long revision(UUID node) {
        return jdbc.sql("SELECT desired_revision FROM node_revisions WHERE node_id = ?").param(node)
                .query(Long.class).single();
    }

    private static void assertField(Api.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().path("errors").get(0).path("field").asString()).isEqualTo(field);
    }
}

package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEvents;
import dev.gatehouse.testkit.RedisChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Who is served, through the API: tenants, expiry, node settings and node lifecycle reach the
 * nodes' desired state; assignment spreads evenly; credentials exist only for usable engines.
 */
class ServedRulesIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    DesiredState desired;

    @Test
    void suspendingATenantTakesEveryOneOfItsPeopleOffEveryNodeAndResumingBringsThemBack() {
        Tenant tenant = newTenant();
        UUID a = UUID.fromString(node(tenant, null));
        UUID b = UUID.fromString(node(tenant, null));
        String plan = plan(tenant, null);
        subscribe(tenant, plan, "redundancy", 1);
        subscribe(tenant, plan, "redundancy", 1);
        assertThat(desired.logged(a)).hasSize(4);
        assertThat(desired.logged(b)).hasSize(4);

        assertThat(root.patch("/tenants/" + tenant.id(), map("status", "suspended")).status()).isEqualTo(200);
        assertThat(desired.logged(a)).isEmpty();
        assertThat(desired.logged(b)).isEmpty();

        assertThat(root.patch("/tenants/" + tenant.id(), map("status", "active")).status()).isEqualTo(200);
        assertThat(desired.logged(a)).hasSize(4).isEqualTo(desired.truth(a));
        assertThat(desired.logged(b)).hasSize(4).isEqualTo(desired.truth(b));
    }

    @Test
    void aSubscriptionPastItsExpiryGetsNoConfigsEvenBeforeItIsMarked() {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        JsonNode sub = subscribe(tenant, plan(tenant, null)).path("subscription");
        String user = sub.path("user_id").asString();
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").size()).isEqualTo(2);

        jdbc.sql("""
                        UPDATE subscriptions SET starts_at = now() - interval '2 days',
                               expires_at = now() - interval '1 second' WHERE id = ?""")
                .param(UUID.fromString(sub.path("id").asString())).update();
        assertThat(root.get("/subscriptions/" + sub.path("id").asString()).text("state")).isEqualTo("active");
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").size()).isZero();
        assertThat(desired.truth(node)).isEmpty();
    }

    @Test
    void changingANodesEngineSettingsBumpsItsRevisionAndTellsTheCollector() throws Exception {
        Tenant tenant = newTenant();
        UUID node = UUID.fromString(node(tenant, null));
        long before = revision(node);
        try (RedisChannel events = RedisChannel.listen(NodeEvents.channel(redisNamespace()))) {
            Api.Response renamed = root.patch("/nodes/" + node, map("name", "renamed-" + UUID.randomUUID()));
            assertThat(renamed.status()).isEqualTo(200);
            assertThat(revision(node)).as("a name is not configuration").isEqualTo(before);

            Api.Response changed = root.patch("/nodes/" + node, map("engines", map(
                    "xray", map("inbounds", List.of(map("tag", "vless-in", "protocol", "vless", "port", 8443,
                            "network", "tcp", "security", "none"))),
                    "wireguard", map("interface_name", "wg7", "listen_port", 51821))));
            assertThat(changed.status()).as(changed.body()).isEqualTo(200);
            assertThat(revision(node)).isEqualTo(before + 1);
            assertThat(events.nextStartingWith("revision " + node, 5, TimeUnit.SECONDS))
                    .isEqualTo("revision " + node + " " + (before + 1));
        }
        var snapshot = desired.snapshot(node).orElseThrow();
        assertThat(snapshot.config().xray().inbounds().get(0).port()).isEqualTo(8443);
        assertThat(snapshot.config().wireguard().interfaceName()).isEqualTo("wg7");
    }

    @Test
    void disablingOrDeletingANodeOrItsTenantEndsItsSessionEvenWhenItServesNobody() throws Exception {
        Tenant tenant = newTenant();
        String disabled = node(tenant, null);
        String deleted = node(tenant, null);
        Tenant doomed = newTenant();
        String orphan = node(doomed, null);
        try (RedisChannel events = RedisChannel.listen(NodeEvents.channel(redisNamespace()))) {
            assertThat(root.post("/nodes/" + disabled + "/disable", null).status()).isEqualTo(200);
            assertThat(events.nextStartingWith("closed " + disabled, 5, TimeUnit.SECONDS))
                    .isEqualTo("closed " + disabled + " disabled");
            assertThat(root.delete("/nodes/" + deleted).status()).isEqualTo(204);
            assertThat(events.nextStartingWith("closed " + deleted, 5, TimeUnit.SECONDS))
                    .isEqualTo("closed " + deleted + " deleted");
            assertThat(root.delete("/tenants/" + doomed.id()).status()).isEqualTo(204);
            assertThat(events.nextStartingWith("closed " + orphan, 5, TimeUnit.SECONDS))
                    .isEqualTo("closed " + orphan + " deleted");
        }
    }

    @Test
    void roundRobinSpreadsOneBulkRequestEvenly() {
        Tenant tenant = newTenant();
        List<String> nodes = List.of(node(tenant, null), node(tenant, null), node(tenant, null));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add("bulk-" + i + "-" + UUID.randomUUID().toString().substring(0, 6));
        }
        Api.Response bulk = root.post("/users/bulk", map("tenant_id", tenant.id(), "usernames", names,
                "template", map("plan_id", plan(tenant, null))));
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(201);
        assertThat(load(nodes)).containsOnly(10L);
        for (String node : nodes) {
            assertThat(desired.logged(UUID.fromString(node))).hasSize(20);
        }
    }

    @Test
    void roundRobinSpreadsConcurrentSingleRequestsEvenly() throws Exception {
        Tenant tenant = newTenant();
        List<String> nodes = List.of(node(tenant, null), node(tenant, null), node(tenant, null));
        String plan = plan(tenant, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<JsonNode>> work = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                work.add(() -> subscribe(tenant, plan));
            }
            for (Future<JsonNode> done : pool.invokeAll(work)) {
                done.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(load(nodes)).containsOnly(4L);
    }

    @Test
    void anXrayOnlySubscriptionHoldsNoWireGuardKeyOrAddress() {
        Tenant tenant = newTenant();
        node(tenant, null);
        JsonNode sub = subscribe(tenant, plan(tenant, null), "engines", List.of("xray")).path("subscription");
        UUID id = UUID.fromString(sub.path("id").asString());
        assertThat(jdbc.sql("SELECT engine FROM engine_credentials WHERE subscription_id = ?").param(id)
                .query(String.class).list()).containsExactly("xray");

        // Given WireGuard later, the subscription gets its key and address then.
        Api.Response both = root.patch("/subscriptions/" + id, map("engines", List.of("xray", "wireguard")));
        assertThat(both.status()).as(both.body()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT engine FROM engine_credentials WHERE subscription_id = ? ORDER BY engine")
                .param(id).query(String.class).list()).containsExactly("wireguard", "xray");
    }

    @Test
    void aFullAddressPoolIsAConflictAndWritesNothing() {
        Tenant tenant = newTenant();
        node(tenant, null);
        String plan = plan(tenant, null);
        // The cursor of the tenant's pool past its last address (10.66.255.254).
        jdbc.sql("INSERT INTO wg_address_pools (tenant_id, pool, next_offset) VALUES (?, '10.66.0.0/16', 65535)")
                .param(tenant.id()).update();
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "full-pool")).text("id");

        Api.Response refused = root.post("/subscriptions", map("user_id", user, "plan_id", plan));
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.text("detail")).isEqualTo("the WireGuard address pool 10.66.0.0/16 of this tenant is full");
        assertThat(refused.body()).doesNotContain("DomainException").doesNotContain("wg_address_pools");
        assertThat(jdbc.sql("SELECT count(*) FROM subscriptions WHERE user_id = ?").param(UUID.fromString(user))
                .query(Long.class).single()).as("nothing half written").isZero();

        // An Xray-only subscription needs no address and is still made.
        assertThat(root.post("/subscriptions", map("user_id", user, "plan_id", plan, "engines", List.of("xray")))
                .status()).isEqualTo(201);
    }

    private List<Long> load(List<String> nodes) {
        return nodes.stream().map(n -> jdbc.sql("SELECT count(*) FROM node_assignments WHERE node_id = ?")
                .param(UUID.fromString(n)).query(Long.class).single()).toList();
    }

    private long revision(UUID node) {
        return jdbc.sql("SELECT desired_revision FROM node_revisions WHERE node_id = ?").param(node)
                .query(Long.class).single();
    }
}

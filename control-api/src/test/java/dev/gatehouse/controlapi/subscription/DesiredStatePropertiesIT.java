package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.ControlApiApplication;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Random sequences of what operators do (subscribe, suspend, resume, revoke, exhaust, delete,
 * override engines, disable and enable nodes, disable users) against a real control-api, and after
 * each sequence the invariants: no node over capacity, no WireGuard address given twice, every live
 * subscription's credentials in the desired state of each of its nodes, nothing else there.
 */
class DesiredStatePropertiesIT {

    private static ConfigurableApplicationContext app;
    private static Api api;
    private static JdbcClient jdbc;
    private static DesiredState desired;

    /** One step; indexes pick among the objects of the try, modulo their number. */
    record Step(String kind, int a, int b) {
    }

    @BeforeContainer
    static void start() {
        TestDatabase db = TestPostgres.instance().createDatabase();
        app = new SpringApplicationBuilder(ControlApiApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--spring.data.redis.url=" + TestRedis.instance().url(),
                "--gatehouse.domain.redis-namespace=gh-test-props-" + UUID.randomUUID(),
                "--gatehouse.control-api.bootstrap.admin-username=props-admin",
                "--gatehouse.control-api.bootstrap.admin-password=a long enough password",
                "--logging.level.root=WARN");
        int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        Api anonymous = new Api(port);
        api = anonymous.as(anonymous.post("/auth/login", Api.body("username", "props-admin",
                "password", "a long enough password")).text("access_token"));
        jdbc = app.getBean(JdbcClient.class);
        desired = app.getBean(DesiredState.class);
    }

    @AfterContainer
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> kinds = Arbitraries.of("subscribe", "subscribe", "subscribe", "suspend", "resume", "revoke",
                "exhaust", "refill", "delete", "override", "clear", "disable-node", "enable-node", "disable-user",
                "enable-user", "reassign");
        Arbitrary<Step> step = Combinators.combine(kinds, Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 50)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 25)
    void invariantsHoldAfterAnySequence(@ForAll("steps") List<Step> steps) {
        String slug = "p" + UUID.randomUUID().toString().substring(0, 10);
        UUID tenant = UUID.fromString(api.post("/tenants", Api.body("name", slug, "slug", slug)).text("id"));
        String plan = api.post("/plans", Api.body("tenant_id", tenant, "name", "p", "quota_bytes", 1000,
                "engines", List.of("xray", "wireguard"), "allow_engine_override", true)).text("id");
        List<String> nodes = new ArrayList<>();
        for (Integer capacity : new Integer[] {1, 2, null}) {
            nodes.add(api.post("/nodes", Api.body("tenant_id", tenant, "name", "n" + nodes.size(),
                    "address", "n.example.net", "capacity", capacity, "tags", List.of("t" + nodes.size()),
                    "engines", Map.of(
                            "xray", Map.of("inbounds", List.of(Map.of("tag", "in", "protocol", "vless", "port", 443))),
                            "wireguard", Map.of("interface_name", "wg0", "listen_port", 51820)))).json().path("node").path("id").asString());
        }
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            users.add(api.post("/users", Api.body("tenant_id", tenant, "username", "user" + i)).text("id"));
        }
        List<String> subscriptions = new ArrayList<>();
        String[] strategies = {"round_robin", "by_capacity", "by_tag", "manual"};

        for (Step s : steps) {
            String sub = subscriptions.isEmpty() ? null : subscriptions.get(s.a() % subscriptions.size());
            String user = users.get(s.a() % users.size());
            String node = nodes.get(s.a() % nodes.size());
            switch (s.kind()) {
                case "subscribe" -> {
                    String strategy = strategies[s.b() % strategies.length];
                    Api.Response r = api.post("/subscriptions", Api.body("user_id", user, "plan_id", plan,
                            "strategy", strategy, "tags", List.of("t" + (s.b() % 3)), "redundancy", s.b() % 2,
                            "node_ids", List.of(nodes.get(s.b() % nodes.size()))));
                    assertThat(r.status()).as(r.body()).isIn(201, 409);
                    if (r.status() == 201) {
                        subscriptions.add(r.json().path("subscription").path("id").asString());
                    }
                }
                case "suspend", "resume" -> {
                    if (sub != null) {
                        expect(api.post("/subscriptions/" + sub + "/" + s.kind(), null), 200, 409);
                    }
                }
                case "revoke" -> {
                    if (sub != null) {
                        expect(api.post("/subscriptions/" + sub + "/revoke", null), 200);
                    }
                }
                case "exhaust", "refill" -> {
                    if (sub != null) {
                        Object quota = s.kind().equals("exhaust") ? 0 : null;
                        Map<String, Object> body = s.kind().equals("exhaust") ? Api.body("quota_bytes", quota)
                                : Api.body("quota_unlimited", true);
                        expect(api.patch("/subscriptions/" + sub, body), 200);
                    }
                }
                case "delete" -> {
                    if (sub != null) {
                        expect(api.delete("/subscriptions/" + sub), 204);
                        subscriptions.remove(sub);
                    }
                }
                case "override" -> expect(api.post("/users/" + user + "/engines", Api.body("engines",
                        List.of(List.of("xray"), List.of("wireguard"), List.of()).get(s.b() % 3))), 200);
                case "clear" -> expect(api.delete("/users/" + user + "/engines"), 200);
                case "disable-node" -> expect(api.post("/nodes/" + node + "/disable", null), 200);
                case "enable-node" -> expect(api.post("/nodes/" + node + "/enable", null), 200);
                case "disable-user", "enable-user" -> expect(api.patch("/users/" + user,
                        Api.body("status", s.kind().equals("disable-user") ? "disabled" : "active")), 200);
                case "reassign" -> {
                    if (sub != null) {
                        expect(api.post("/subscriptions/" + sub + "/reassign", Api.body(
                                "strategy", strategies[s.b() % 3])), 200, 409);
                    }
                }
                default -> throw new IllegalStateException(s.kind());
            }
        }
        checkInvariants(tenant, nodes);
    }

    private static void expect(Api.Response response, int... allowed) {
        assertThat(java.util.Arrays.stream(allowed).boxed().toList()).as(response.body()).contains(response.status());
    }

    private static void checkInvariants(UUID tenant, List<String> nodes) {
        // No node over capacity.
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM nodes n WHERE n.tenant_id = ? AND n.capacity IS NOT NULL
                          AND (SELECT count(*) FROM node_assignments a WHERE a.node_id = n.id) > n.capacity""")
                .param(tenant).query(Long.class).single()).isZero();
        // No address allocated twice.
        List<String> addresses = jdbc.sql("SELECT host(wg_address) FROM engine_credentials WHERE tenant_id = ?"
                + " AND status = 'active' AND wg_address IS NOT NULL").param(tenant).query(String.class).list();
        assertThat(addresses).doesNotHaveDuplicates();

        for (String node : nodes) {
            UUID nodeId = UUID.fromString(node);
            JsonNode n = api.get("/nodes/" + node).json();
            Set<DesiredState.Entry> served = desired.logged(nodeId);
            Set<DesiredState.Entry> expected = new HashSet<>();
            if (!"disabled".equals(n.path("status").asString())) {
                for (JsonNode s : api.get("/subscriptions?node_id=" + node + "&limit=200").json().path("items")) {
                    String state = s.path("state").asString();
                    JsonNode user = api.get("/users/" + s.path("user_id").asString()).json();
                    if (!Set.of("active", "on_hold").contains(state) || !"active".equals(user.path("status").asString())) {
                        continue;
                    }
                    JsonNode override = api.get("/users/" + user.path("id").asString() + "/engines").json();
                    List<String> engines = new ArrayList<>();
                    (override.path("overridden").asBoolean() ? override.path("engines") : s.path("engines"))
                            .forEach(e -> engines.add(e.asString()));
                    jdbc.sql("SELECT id, engine FROM engine_credentials WHERE subscription_id = ? AND status = 'active'")
                            .param(UUID.fromString(s.path("id").asString()))
                            .query((rs, i) -> new DesiredState.Entry(rs.getObject(1, UUID.class), Engine.fromDb(rs.getString(2))))
                            .list().stream().filter(e -> engines.contains(e.engine().db())).forEach(expected::add);
                }
            }
            // Every live credential is on each of its nodes, and nothing suspended, exhausted, revoked,
            // overridden away or of a disabled person is.
            assertThat(served).as("node %s serves", node).isEqualTo(expected);
        }
    }
}

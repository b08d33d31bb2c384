package dev.gatehouse.controlapi.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.TestPostgres;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of control-api's integration tests: one running control-api per test JVM on real
 * PostgreSQL and Redis, with a platform admin from the bootstrap settings, loopback as the trusted
 * proxy (so tests can act from other client addresses) and an admin allow-list that excludes
 * 198.51.100.0/24 and every loopback address but 127.0.0.1. Every test makes its own tenants and users, so none depends on another.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gatehouse.control-api.bootstrap.admin-username=" + ControlApiTest.ROOT,
        "gatehouse.control-api.bootstrap.admin-password=" + ControlApiTest.ROOT_PASSWORD,
        "gatehouse.control-api.network.trusted-proxies=127.0.0.1/32",
        "gatehouse.control-api.network.admin-allowlist=127.0.0.1/32,::1/128,192.0.2.0/24,2001:db8::/32",
        "gatehouse.control-api.login.address-capacity=100000",
        "gatehouse.control-api.tokens.refresh-grace=2s",
        "gatehouse.domain.data-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
})
public abstract class ControlApiTest {

    public static final String ROOT = "root-admin";
    public static final String ROOT_PASSWORD = "correct horse battery staple";
    public static final String PASSWORD = "a long enough password";

    @LocalServerPort
    protected int port;

    protected Api anonymous;
    protected Api root;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("control-api-it", false));
        registry.add("gatehouse.domain.redis-namespace", () -> REDIS_NAMESPACE);
    }

    /** The Redis namespace of this test JVM's control-api, for a second instance sharing its state. */
    protected static String redisNamespace() {
        return REDIS_NAMESPACE;
    }

    /** Redis state of this test JVM's control-api, apart from any other run's. */
    private static final String REDIS_NAMESPACE = "gh-test-" + UUID.randomUUID();
    private static String rootToken;

    @BeforeEach
    void clients() {
        anonymous = new Api(port);
        synchronized (ControlApiTest.class) {
            if (rootToken == null || anonymous.as(rootToken).get("/auth/me").status() != 200) {
                rootToken = login(null, ROOT, ROOT_PASSWORD).text("access_token");
            }
        }
        root = anonymous.as(rootToken);
    }

    /** Signs in; asserts success. */
    protected Api.Response login(String tenantSlug, String username, String password) {
        Api.Response response = anonymous.post("/auth/login",
                Api.body("tenant", tenantSlug, "username", username, "password", password));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    /** A new tenant with a unique slug. */
    protected Tenant newTenant() {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        Api.Response created = root.post("/tenants", Api.body("name", "Tenant " + slug, "slug", slug));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Tenant(UUID.fromString(created.text("id")), slug);
    }

    /** A new person in the tenant holding the built-in role, signed in. */
    protected Member member(Tenant tenant, String role) {
        String username = role + "-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response user = root.post("/users", Api.body("tenant_id", tenant.id(), "username", username,
                "password", PASSWORD));
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        UUID userId = UUID.fromString(user.text("id"));
        Api.Response membership = root.post("/memberships", Api.body("user_id", userId, "tenant_id", tenant.id(),
                "role_id", BuiltinRole.valueOf(role.toUpperCase(java.util.Locale.ROOT)).id()));
        assertThat(membership.status()).as(membership.body()).isEqualTo(201);
        Api.Response tokens = login(tenant.slug(), username, PASSWORD);
        return new Member(userId, username, tenant, anonymous.as(tokens.text("access_token")),
                tokens.text("access_token"), tokens.text("refresh_token"));
    }

    public record Tenant(UUID id, String slug) {
    }

    /** A plan offering both engines with the given quota (null: unlimited) and 30 days. */
    protected String plan(Tenant tenant, Long quotaBytes) {
        Api.Response plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "plan-" + UUID.randomUUID(),
                "quota_bytes", quotaBytes, "duration_days", 30, "engines", java.util.List.of("xray", "wireguard")));
        assertThat(plan.status()).as(plan.body()).isEqualTo(201);
        return plan.text("id");
    }

    /** A new, not yet enrolled node with one VLESS inbound: its creation answer (token, CA fingerprint). */
    protected tools.jackson.databind.JsonNode newNode(Tenant tenant) {
        Api.Response node = root.post("/nodes", map("tenant_id", tenant.id(), "name", "edge-" + UUID.randomUUID(),
                "address", "edge.example.net", "engines", map("xray", map("inbounds", java.util.List.of(
                        map("tag", "vless-in", "protocol", "vless", "port", 443))))));
        assertThat(node.status()).as(node.body()).isEqualTo(201);
        return node.json();
    }

    /** A node offering a VLESS inbound and WireGuard, with the given capacity (null: unlimited). */
    protected String node(Tenant tenant, Integer capacity, String... tags) {
        Api.Response node = root.post("/nodes", map("tenant_id", tenant.id(), "name", "node-" + UUID.randomUUID(),
                "address", "edge.example.net", "capacity", capacity, "tags", java.util.List.of(tags),
                "engines", map(
                        "xray", map("inbounds", java.util.List.of(map("tag", "vless-in", "protocol", "vless",
                                "port", 443, "network", "tcp", "security", "none"))),
                        "wireguard", map("interface_name", "wg0", "listen_port", 51820,
                                "public_key", "hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4="))));
        assertThat(node.status()).as(node.body()).isEqualTo(201);
        String id = node.json().path("node").path("id").asString();
        enrolled(id);
        return id;
    }

    @org.springframework.beans.factory.annotation.Autowired
    private org.springframework.jdbc.core.simple.JdbcClient testDatabase;

    /** Creates a node from {@code body} as root and marks it enrolled; returns its id. */
    protected String enrolledNode(Map<String, Object> body) {
        Api.Response node = root.post("/nodes", body);
        assertThat(node.status()).as(node.body()).isEqualTo(201);
        String id = node.json().path("node").path("id").asString();
        enrolled(id);
        return id;
    }

    /**
     * Marks a node as one whose agent has enrolled and connected (status online), as the collector
     * records it: client configurations list no node before that.
     */
    protected void enrolled(String nodeId) {
        testDatabase.sql("UPDATE nodes SET status = 'online', last_seen_at = now() WHERE id = ?::uuid")
                .param(nodeId).update();
    }

    /** A user of the tenant with a subscription on the plan; returns the subscription's JSON. */
    protected tools.jackson.databind.JsonNode subscribe(Tenant tenant, String planId, Object... extra) {
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "vpn-" + UUID.randomUUID()
                .toString().substring(0, 8))).text("id");
        Map<String, Object> body = map("user_id", user, "plan_id", planId);
        body.putAll(map(extra));
        Api.Response created = root.post("/subscriptions", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    /** A signed-in person and their client. */
    public record Member(UUID id, String username, Tenant tenant, Api api, String accessToken, String refreshToken) {
    }

    /** The ids the built-in roles have in every installation. */
    public enum BuiltinRole {
        OWNER("00000000-0000-0000-0000-0000000000a1"),
        ADMIN("00000000-0000-0000-0000-0000000000a2"),
        OPERATOR("00000000-0000-0000-0000-0000000000a3"),
        VIEWER("00000000-0000-0000-0000-0000000000a4"),
        SELF("00000000-0000-0000-0000-0000000000a5");

        private final UUID id;

        BuiltinRole(String id) {
            this.id = UUID.fromString(id);
        }

        public UUID id() {
            return id;
        }
    }

    protected static Map<String, Object> map(Object... kv) {
        return Api.body(kv);
    }
}

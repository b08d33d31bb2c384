package dev.gatehouse.controlapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.controlapi.support.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Bad input gets a clear problem+json answer, nothing is half written and nothing internal leaks. */
class BadInputIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void massAssignmentFieldsInAPatchAreRefusedByName() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        Api.Response created = root.post("/users", map("tenant_id", tenant.id(), "username", "target-user"));
        String id = created.text("id");
        for (Map.Entry<String, Object> field : Map.<String, Object>of(
                "tenant_id", newTenant().id().toString(), "role", "owner", "used_bytes", 0,
                "state", "active", "id", "00000000-0000-0000-0000-000000000001", "platform_admin", true).entrySet()) {
            Api.Response response = admin.api().patch("/users/" + id, map(field.getKey(), field.getValue(),
                    "display_name", "should not be written"));
            assertThat(response.status()).as(field.getKey()).isEqualTo(400);
            assertThat(response.text("detail")).isEqualTo("unknown field '" + field.getKey() + "'");
            assertClean(response);
        }
        assertThat(root.get("/users/" + id).json().path("display_name").isNull()).isTrue();
        assertThat(root.get("/users/" + id).text("tenant_id")).isEqualTo(tenant.id().toString());
    }

    @Test
    void hugeOrMalformedPageLimitsAreRefusedNamingTheParameter() {
        for (String limit : new String[] {"1000000000", "0", "-5", "abc", "99999999999999"}) {
            Api.Response response = root.get("/users?limit=" + limit);
            assertThat(response.status()).as(limit).isEqualTo(400);
            assertThat(response.json().path("errors").get(0).path("field").asString()).isEqualTo("limit");
            assertClean(response);
        }
        assertThat(root.get("/users?limit=200").status()).isEqualTo(200);
    }

    @Test
    void aTenMegabyteBodyIsRefusedWhetherItsLengthIsDeclaredOrNot() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(10 * 1024 * 1024) + "\",\"slug\":\"big\"}";
        Api.Response declared = root.post("/tenants", big);
        assertThat(declared.status()).isEqualTo(413);
        assertClean(declared);

        // Chunked: no Content-Length, so the limit is enforced while reading. The server may answer
        // before the client has finished sending; it then stops reading.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + rootToken() + "\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
            try {
                for (int offset = 0; offset < bytes.length; offset += 65536) {
                    int n = Math.min(65536, bytes.length - offset);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes, offset, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the server refused the rest of the body
            }
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 413");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM tenants WHERE slug = 'big'").query(Long.class).single()).isZero();
    }

    @Test
    void malformedJsonAndWrongTypesAreDescribedWithoutInternals() {
        Api.Response malformed = root.post("/tenants", "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("Content-Type")).startsWith("application/problem+json");
        assertClean(malformed);

        Api.Response wrongType = root.post("/users", "{\"tenant_id\": 5, \"username\": \"x\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertClean(wrongType);

        Api.Response badId = root.get("/users/not-a-uuid");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().path("errors").get(0).path("field").asString()).isEqualTo("id");
        assertClean(badId);
    }

    @Test
    void anUnknownStateOrStrategyIsRefusedWithTheChoicesWhetherInABodyOrAQuery() {
        Tenant tenant = newTenant();
        Api.Response status = root.patch("/tenants/" + tenant.id(), map("status", "paused"));
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.text("detail")).isEqualTo("status: must be active or suspended");
        assertThat(status.json().path("errors").get(0).path("field").asString()).isEqualTo("status");
        assertClean(status);
        Api.Response javaName = root.patch("/tenants/" + tenant.id(), map("status", "SUSPENDED"));
        assertThat(javaName.status()).isEqualTo(400);
        assertThat(root.get("/tenants/" + tenant.id()).text("status")).isEqualTo("active");

        Api.Response reset = root.post("/plans", map("tenant_id", tenant.id(), "name", "p", "engines",
                java.util.List.of("xray"), "reset_strategy", "fortnight"));
        assertThat(reset.status()).isEqualTo(400);
        assertThat(reset.text("detail")).isEqualTo("reset_strategy: must be no_reset, day, week, month or year");

        Api.Response query = root.get("/subscriptions?state=paused");
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.text("detail"))
                .isEqualTo("state: must be active, on_hold, exhausted, expired, suspended or disabled");
        assertClean(query);
        assertThat(root.get("/subscriptions?state=on_hold&tenant_id=" + tenant.id()).status()).isEqualTo(200);
        assertThat(root.get("/nodes?status=ONLINE").status()).isEqualTo(400);
        assertThat(root.get("/users?status=disabled").status()).isEqualTo(200);
    }

    @Test
    void everyLayerAnswersProblemJsonWithTheRequestIdAtTheTop() throws Exception {
        String token = rootToken();
        for (String path : new String[] {"/users/%00", "/users/..%2f", "/users/a%2Fb", "/users/..%2F..%2Fetc",
                "/nodes/%00/health", "/subscriptions/%2e%2e%2f", "/users/%", "/users/%zz", "/users/a%5Cb",
                "/users/a;b=c", "/users/%u0000", "/users/\u00e9"}) {
            RawHttp.Answer answer = RawHttp.get(port, path, token);
            assertThat(answer.status()).as(path).isBetween(400, 404);
            assertThat(answer.headers().get("content-type")).as(path + ": " + answer.body())
                    .startsWith("application/problem+json");
            assertThat(tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer.body())
                    .path("request_id").asString()).as(path).isNotBlank();
            assertThat(answer.body()).doesNotContain("Exception", "Tomcat", "<html");
        }
        Api.Response forged = anonymous.as("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").get("/auth/me");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("request_id").asString()).isEqualTo(forged.header("X-Request-Id"));
        assertThat(forged.json().has("properties")).isFalse();
        assertThat(forged.text("detail")).doesNotContain("JWT", "JWS", "JOSE", "kid", "algorithm");
        Api.Response missing = anonymous.get("/users");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().path("request_id").asString()).isNotBlank();
    }

    @Test
    void badValuesGetTheStatusThatNamesTheirField() {
        Tenant tenant = newTenant();
        // An unknown tenant named by a platform admin: nothing to attach the role to, not a conflict.
        Api.Response role = root.post("/roles", map("tenant_id", java.util.UUID.randomUUID(), "name", "ghost",
                "permissions", java.util.List.of("USERS:READ")));
        assertThat(role.status()).as(role.body()).isEqualTo(404);
        assertThat(role.json().path("errors").get(0).path("field").asString()).isEqualTo("tenant_id");
        assertClean(role);
        Api.Response plan = root.post("/plans", map("tenant_id", java.util.UUID.randomUUID(), "name", "ghost",
                "engines", java.util.List.of("xray")));
        assertThat(plan.status()).as(plan.body()).isEqualTo(404);

        // A NUL character never reaches PostgreSQL, in a body or a query.
        Api.Response nul = root.post("/users", map("tenant_id", tenant.id(), "username", "nul\u0000user"));
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.text("detail")).isEqualTo("username: must not contain NUL characters");
        Api.Response nested = root.post("/users", map("tenant_id", tenant.id(), "username", "nul-note",
                "note", "a\u0000b"));
        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.json().path("errors").get(0).path("field").asString()).isEqualTo("note");
        Api.Response query = root.get("/users?q=%00");
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.text("detail")).isEqualTo("q: must not contain NUL characters");
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE tenant_id = ?").param(tenant.id()).query(Long.class)
                .single()).isZero();

        // A blank name is a 400, on creation and on change.
        assertThat(root.patch("/tenants/" + tenant.id(), map("name", "   ")).status()).isEqualTo(400);
        assertThat(root.patch("/tenants/" + tenant.id(), map("name", "")).status()).isEqualTo(400);
        assertThat(root.post("/tenants", map("name", " ", "slug", "blank-" + tenant.slug())).status()).isEqualTo(400);

        // No scalar is read as another type.
        Api.Response number = root.post("/users", map("tenant_id", tenant.id(), "username", 12345));
        assertThat(number.status()).isEqualTo(400);
        assertThat(number.text("detail")).isEqualTo("username: has the wrong type");
        assertThat(root.post("/users", map("tenant_id", tenant.id(), "username", true)).status()).isEqualTo(400);
        assertThat(root.post("/plans", map("tenant_id", tenant.id(), "name", "p", "engines", java.util.List.of("xray"),
                "quota_bytes", "1000")).status()).isEqualTo(400);
        assertThat(root.post("/plans", map("tenant_id", tenant.id(), "name", "p", "engines", java.util.List.of("xray"),
                "start_on_first_use", "true")).status()).isEqualTo(400);
        assertThat(root.get("/tenants/" + tenant.id()).text("name")).isNotBlank();
    }

    @Test
    void theErrorRouteDoesNotExistForClients() {
        for (String method : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
            Api.Response response = root.send(method, "/error", "{}");
            assertThat(response.status()).as(method).isEqualTo(404);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(root.get("/openapi.json").json().path("paths").has("/error")).isFalse();
    }

    @Test
    void aUrlRefusedBeforeAnyControllerIsStillAProblemDocument() {
        Api.Response rejected = root.get("/users//engines");
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.header("Content-Type")).startsWith("application/problem+json");
        assertClean(rejected);
    }

    @Test
    void anotherTenantsIdNestedInABodyIsNotFound() {
        Tenant mine = newTenant();
        Tenant theirs = newTenant();
        Member owner = member(mine, "owner");
        String theirUser = root.post("/users", map("tenant_id", theirs.id(), "username", "their-user")).text("id");

        Api.Response membership = owner.api().post("/memberships", map("tenant_id", mine.id(),
                "user_id", theirUser, "role_id", BuiltinRole.VIEWER.id()));
        assertThat(membership.status()).isEqualTo(404);

        Api.Response token = owner.api().post("/api-tokens", map("name", "x", "tenant_id", theirs.id(),
                "permissions", java.util.List.of("USERS:READ"), "expires_in_days", 1));
        assertThat(token.status()).isEqualTo(404);

    }

    @Test
    void aListFilterNamingAnotherTenantsObjectOnlyNarrowsToNothing() {
        Tenant mine = newTenant();
        Tenant theirs = newTenant();
        Member owner = member(mine, "owner");
        root.post("/users", map("tenant_id", mine.id(), "username", "mine-user"));
        String theirUser = root.post("/users", map("tenant_id", theirs.id(), "username", "their-user")).text("id");
        String theirPlan = root.post("/plans", map("tenant_id", theirs.id(), "name", "theirs",
                "engines", java.util.List.of("xray"))).text("id");
        String theirNode = root.post("/nodes", map("tenant_id", theirs.id(), "name", "their-node",
                "address", "their.example.net", "engines", map("xray", map("inbounds", java.util.List.of(map(
                        "tag", "in", "protocol", "vless", "port", 443)))))).text("id");
        String nobody = java.util.UUID.randomUUID().toString();
        for (String list : new String[] {
                "/users?tenant_id=" + theirs.id(), "/users?tenant_id=" + nobody,
                "/plans?tenant_id=" + theirs.id(), "/nodes?tenant_id=" + theirs.id(),
                "/memberships?tenant_id=" + theirs.id(),
                "/memberships?user_id=" + theirUser, "/audit?tenant_id=" + theirs.id(),
                "/subscriptions?tenant_id=" + theirs.id(), "/subscriptions?user_id=" + theirUser,
                "/subscriptions?plan_id=" + theirPlan, "/subscriptions?node_id=" + theirNode,
                "/audit?actor_id=" + owner.id(), "/audit?target_id=" + theirUser,
                "/audit?target_id=" + theirPlan + "&target_type=plan"}) {
            Api.Response response = owner.api().get(list);
            assertThat(response.status()).as(list).isEqualTo(200);
            JsonNode items = response.json().path("items");
            for (JsonNode item : items) {
                assertThat(item.path("tenant_id").asString()).as(list).isNotEqualTo(theirs.id().toString());
            }
            if (!list.startsWith("/audit?actor_id")) {
                assertThat(items.size()).as(list).isZero();
            }
        }
        assertThat(owner.api().get("/users?tenant_id=" + mine.id()).json().path("items").size()).isEqualTo(2);
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
        Tenant tenant = newTenant();
        // A person with no admin role: the admin allow-list (loopback 127.0.0.1 only) does not hold them.
        Member member = member(tenant, "self");
        String body = "{\"tenant\":\"" + tenant.slug() + "\",\"username\":\"" + member.username()
                + "\",\"password\":\"" + PASSWORD + "\"}";

        // 127.0.0.2 is not a trusted proxy: its X-Forwarded-For is not believed.
        assertThat(rawPost(InetAddress.getByName("127.0.0.2"), "/auth/login", body, "192.0.2.77")).isEqualTo(200);
        // 127.0.0.1 is the trusted proxy: its X-Forwarded-For names the client.
        assertThat(rawPost(InetAddress.getByName("127.0.0.1"), "/auth/login", body, "192.0.2.88")).isEqualTo(200);

        var addresses = jdbc.sql("SELECT host(client_ip) FROM audit_logs WHERE action = 'auth.login' AND actor_id = ?"
                + " ORDER BY id").param(member.id()).query(String.class).list();
        assertThat(addresses).endsWith("127.0.0.2", "192.0.2.88");
    }

    @Test
    void administratorsAreHeldToTheAllowListAndEndUsersAreNot() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        Member endUser = member(tenant, "self");

        Api.Response outside = admin.api().withHeader("X-Forwarded-For", "198.51.100.7").get("/auth/me");
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.json().path("type").asString()).endsWith("/address-not-allowed");
        assertThat(admin.api().withHeader("X-Forwarded-For", "::ffff:198.51.100.7").get("/auth/me").status())
                .isEqualTo(403);
        assertThat(admin.api().withHeader("X-Forwarded-For", "192.0.2.10").get("/auth/me").status()).isEqualTo(200);
        assertThat(admin.api().withHeader("X-Forwarded-For", "::ffff:192.0.2.10").get("/auth/me").status())
                .isEqualTo(200);
        // Only the configured header (X-Forwarded-For) names the client; a Forwarded header is not read.
        assertThat(admin.api().withHeader("Forwarded", "for=\"[2001:db9::5]\"").get("/auth/me").status())
                .isEqualTo(200);
        assertThat(admin.api().withHeader("Forwarded", "for=192.0.2.10").withHeader("X-Forwarded-For", "198.51.100.7")
                .get("/auth/me").status()).isEqualTo(403);
        assertThat(endUser.api().withHeader("X-Forwarded-For", "198.51.100.7").get("/auth/me").status())
                .isEqualTo(200);
        assertThat(anonymous.withHeader("X-Forwarded-For", "198.51.100.7").post("/auth/login",
                map("tenant", tenant.slug(), "username", admin.username(), "password", PASSWORD)).status())
                .isEqualTo(403);
    }

    private String rootToken() {
        return login(null, ROOT, ROOT_PASSWORD).text("access_token");
    }

    private int rawPost(InetAddress from, String path, String body, String forwardedFor) throws Exception {
        return RawHttp.post(from, port, path, body, Map.of("X-Forwarded-For", forwardedFor));
    }

    private static void assertClean(Api.Response response) {
        assertThat(response.body()).doesNotContain("java.", "Exception", "org.springframework", "tools.jackson",
                "SELECT", "\tat ");
    }
}

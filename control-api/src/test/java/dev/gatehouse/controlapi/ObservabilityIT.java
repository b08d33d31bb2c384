package dev.gatehouse.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.AppJar;
import dev.gatehouse.testkit.HttpCalls;
import dev.gatehouse.testkit.OtlpReceiver;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * control-api's jar with GATEHOUSE_LOG_FORMAT=json: every line is one JSON object, and a request's
 * lines name the request, the user and the tenant. Tracing: nothing leaves the process by default,
 * even with an OTLP endpoint set; with GATEHOUSE_TRACING_ENABLED the spans reach that endpoint and
 * the log lines carry their trace id.
 */
class ObservabilityIT {

    private static final String ADMIN = "observed-admin";
    private static final String PASSWORD = "a long observability password";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void requestLinesNameRequestUserAndTenantAndNoSpanIsExportedByDefault() throws Exception {
        try (OtlpReceiver otlp = OtlpReceiver.start()) {
            List<JsonNode> lines;
            String tenant;
            String requestId;
            String userId;
            try (AppJar api = start(Map.of("GATEHOUSE_OTLP_ENDPOINT", otlp.endpoint()))) {
                String token = login(api);
                userId = JSON.readTree(HttpCalls.get(api.base(), "/auth/me", token).body()).path("user_id").asString();
                tenant = JSON.readTree(HttpCalls.send(api.base(), "POST", "/tenants", token,
                        "{\"name\":\"Observed\",\"slug\":\"observed\"}").body()).path("id").asString();
                HttpResponse<String> read = HttpCalls.get(api.base(), "/tenants/" + tenant, token);
                assertThat(read.statusCode()).isEqualTo(200);
                requestId = read.headers().firstValue("X-Request-Id").orElseThrow();
                api.stop();
                lines = jsonLines(api);
            }
            JsonNode login = line(lines, "POST /auth/login answered 200");
            assertThat(login.path("request_id").asString()).isNotBlank();
            assertThat(login.path("user_id").asString()).isEqualTo(userId);

            JsonNode tenantRead = line(lines, "GET /tenants/{id} answered 200");
            assertThat(tenantRead.path("request_id").asString()).isEqualTo(requestId);
            assertThat(tenantRead.path("user_id").asString()).isEqualTo(userId);
            assertThat(tenantRead.path("tenant_id").asString()).isEqualTo(tenant);
            assertThat(tenantRead.path("service").asString()).isEqualTo("control-api");
            // Lines outside any request carry none of a request's fields.
            assertThat(lines).filteredOn(l -> l.path("message").asString().startsWith("Started "))
                    .allSatisfy(l -> assertThat(l.has("request_id")).isFalse());

            assertThat(otlp.exports()).as("no span leaves the process unless tracing is enabled").isEmpty();
        }
    }

    @Test
    void withTracingEnabledSpansReachTheOtlpEndpointAndLinesCarryTheirTraceId() throws Exception {
        try (OtlpReceiver otlp = OtlpReceiver.start()) {
            List<JsonNode> lines;
            try (AppJar api = start(Map.of("GATEHOUSE_TRACING_ENABLED", "true",
                    "GATEHOUSE_OTLP_ENDPOINT", otlp.endpoint()))) {
                String token = login(api);
                assertThat(HttpCalls.get(api.base(), "/tenants", token).statusCode()).isEqualTo(200);
                // A graceful stop flushes the spans still batched.
                api.stop();
                lines = jsonLines(api);
            }
            JsonNode listed = line(lines, "GET /tenants answered 200");
            String traceId = listed.path("traceId").asString();
            assertThat(traceId).as("the line carries the request's trace id").matches("[0-9a-f]{32}");

            assertThat(otlp.exports()).isNotEmpty().allSatisfy(export ->
                    assertThat(export.contentType()).isEqualTo("application/x-protobuf"));
            byte[] wanted = HexFormat.of().parseHex(traceId);
            assertThat(otlp.exports()).as("the request's span was exported")
                    .anySatisfy(export -> assertThat(indexOf(export.body(), wanted)).isNotNegative());
            assertThat(otlp.exports()).as("the spans name their service")
                    .anySatisfy(export -> assertThat(new String(export.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
                            .contains("control-api"));
        }
    }

    private static AppJar start(Map<String, String> extra) throws Exception {
        TestDatabase db = TestPostgres.instance().createDatabase();
        Map<String, String> env = new HashMap<>(Map.of(
                "GATEHOUSE_DB_URL", db.jdbcUrl(),
                "GATEHOUSE_DB_USER", db.username(),
                "GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password(),
                "GATEHOUSE_REDIS_URL", TestRedis.instance().url(),
                "GATEHOUSE_REDIS_NAMESPACE", "observed-" + UUID.randomUUID(),
                "GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN,
                "GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD,
                "GATEHOUSE_LOG_FORMAT", "json"));
        env.putAll(extra);
        return AppJar.start(AppJar.of("control-api"), env, Ports.free());
    }

    private static String login(AppJar api) throws Exception {
        HttpResponse<String> response = HttpCalls.send(api.base(), "POST", "/auth/login", null,
                "{\"username\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asString();
    }

    /** Every log line, each parsed as JSON: a line that is not JSON fails the test (the banner aside). */
    private static List<JsonNode> jsonLines(AppJar api) {
        List<String> printed = api.lines().stream().filter(l -> l.startsWith("{")).toList();
        assertThat(printed).hasSizeGreaterThan(10);
        assertThat(api.lines().stream().filter(l -> !l.isBlank() && !l.startsWith("{")).toList())
                .as("only the banner is not JSON").allMatch(l -> !l.contains(" INFO ") && !l.contains(" WARN "));
        return printed.stream().map(JSON::readTree).toList();
    }

    private static JsonNode line(List<JsonNode> lines, String messageStart) {
        return lines.stream().filter(l -> l.path("message").asString().startsWith(messageStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + messageStart + "' in " + lines));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

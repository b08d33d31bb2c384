package dev.gatehouse.controlapi.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.AppJar;
import dev.gatehouse.testkit.HttpCalls;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.StoppablePostgres;
import dev.gatehouse.testkit.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * control-api as it runs (its jar) on a PostgreSQL server of the test's own, which the test stops
 * and starts again: while it is down every request that needs it is answered 503 problem+json with
 * Retry-After, fast, never 500 and never after the pool's timeout; health answers DOWN; once it is
 * back, control-api serves again by itself.
 */
class DatabaseOutageIT {

    private static final String ADMIN = "outage-admin";
    private static final String PASSWORD = "a long outage test password";
    /** Only proves that nothing waits out a long timeout; the answers come far sooner. */
    private static final Duration DOES_NOT_HANG = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void withPostgresStoppedRequestsAreAnswered503AtOnceAndServedAgainWhenItReturns() throws Exception {
        try (StoppablePostgres postgres = StoppablePostgres.start()) {
            var db = postgres.createMigratedDatabase("gatehouse");
            Map<String, String> env = Map.of(
                    "GATEHOUSE_DB_URL", db.jdbcUrl(),
                    "GATEHOUSE_DB_USER", db.username(),
                    "GATEHOUSE_DB_PASSWORD", "",
                    "GATEHOUSE_REDIS_URL", TestRedis.instance().url(),
                    "GATEHOUSE_REDIS_NAMESPACE", "outage-" + UUID.randomUUID(),
                    "GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN,
                    "GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD);
            try (AppJar api = AppJar.start(AppJar.of("control-api"), env, Ports.free())) {
                String token = login(api);
                assertThat(send(api, "GET", "/tenants", token).statusCode()).isEqualTo(200);

                postgres.stop();

                // A controller's query, the sign-in, and a token that only the database can check (in
                // the security filters): each 503 with the same problem type, none waiting.
                for (int round = 0; round < 8; round++) {
                    assertUnavailable(timed(() -> send(api, "GET", "/tenants", token)), api);
                }
                assertUnavailable(timed(() -> send(api, "POST", "/auth/login",
                        null, "{\"username\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}")), api);
                assertUnavailable(timed(() -> send(api, "GET", "/auth/me", "gha_" + "A".repeat(43))), api);

                HttpResponse<String> health = timed(() -> send(api, "GET", "/actuator/health", null));
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(health.body()).path("components").path("db").path("status").asString())
                        .isEqualTo("DOWN");
                assertThat(timed(() -> send(api, "GET", "/actuator/health/liveness", null)).statusCode())
                        .as("the process itself is fine: nothing should restart it").isEqualTo(200);
                assertThat(send(api, "GET", "/actuator/prometheus", null).body())
                        .contains("resilience4j_circuitbreaker_state{name=\"database\",state=\"open\"} 1.0");

                postgres.startAgain();

                // Recovery needs nothing but time: the circuit lets trials through and closes.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int status;
                do {
                    Thread.sleep(250);
                    HttpResponse<String> answer = timed(() -> send(api, "GET", "/tenants", token));
                    status = answer.statusCode();
                    assertThat(status).as("while recovering: %s", answer.body()).isIn(200, 503);
                    assertThat(System.nanoTime()).as("serves again within 60 s of PostgreSQL's return")
                            .isLessThan(deadline);
                } while (status != 200);
                assertThat(login(api)).isNotBlank();
                assertThat(send(api, "GET", "/actuator/health", null).statusCode()).isEqualTo(200);
                assertThat(api.output()).doesNotContain("unhandled error");
            }
        }
    }

    private static void assertUnavailable(HttpResponse<String> response, AppJar api) {
        assertThat(response.statusCode()).as("%s\n%s", response.body(), api.tail(60)).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://gatehouse.dev/problems/unavailable");
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("request_id").asString()).isNotBlank()
                .isEqualTo(response.headers().firstValue("X-Request-Id").orElse(null));
        assertThat(response.body()).doesNotContainIgnoringCase("exception").doesNotContain("SQL");
    }

    private interface Call {
        HttpResponse<String> send() throws Exception;
    }

    private static HttpResponse<String> timed(Call call) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = call.send();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered without waiting out a timeout")
                .isLessThan(DOES_NOT_HANG);
        return response;
    }

    private static String login(AppJar api) throws Exception {
        HttpResponse<String> response = send(api, "POST", "/auth/login", null,
                "{\"username\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asString();
    }

    private static HttpResponse<String> send(AppJar api, String method, String path, String token) throws Exception {
        return HttpCalls.send(api.base(), method, path, token, null);
    }

    private static HttpResponse<String> send(AppJar api, String method, String path, String token, String body)
            throws Exception {
        return HttpCalls.send(api.base(), method, path, token, body);
    }
}

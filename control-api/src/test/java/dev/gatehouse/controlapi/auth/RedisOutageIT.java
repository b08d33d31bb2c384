package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.AppJar;
import dev.gatehouse.testkit.HttpCalls;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RedisProcess;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * control-api as it runs (its jar) with a Redis of the test's own that keeps its data on disk, as
 * a production Redis does, stopped and started again, then flushed. Without Redis: sign-in works
 * and stays limited, signed-in callers are served, an ended session stays ended, and changes that
 * retire cached grants succeed. When Redis comes back, without the session that ended meanwhile,
 * the session is never taken for live again, and Redis is used again by itself.
 */
class RedisOutageIT {

    private static final String ADMIN = "redis-outage-admin";
    private static final String PASSWORD = "a long redis outage password";
    /** Only proves that nothing waits out a long timeout; the answers come far sooner. */
    private static final Duration DOES_NOT_HANG = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void withoutRedisSecurityHoldsFromPostgresAndRecoversWhenRedisReturns() throws Exception {
        String namespace = "redis-outage-" + UUID.randomUUID();
        TestDatabase db = TestPostgres.instance().createDatabase();
        try (RedisProcess redis = RedisProcess.start(true);
             AppJar api = AppJar.start(AppJar.of("control-api"), Map.of(
                     "GATEHOUSE_DB_URL", db.jdbcUrl(),
                     "GATEHOUSE_DB_USER", db.username(),
                     "GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password(),
                     "GATEHOUSE_REDIS_URL", redis.url(),
                     "GATEHOUSE_REDIS_NAMESPACE", namespace,
                     "GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN,
                     "GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD), Ports.free())) {
            String kept = login(api, PASSWORD).path("access_token").asString();
            String ended = login(api, PASSWORD).path("access_token").asString();
            String tenant = JSON.readTree(call(api, "POST", "/tenants", kept,
                    "{\"name\":\"Outage\",\"slug\":\"outage\"}").body()).path("id").asString();
            assertThat(status(api, kept)).isEqualTo(200);
            assertThat(status(api, ended)).isEqualTo(200);

            redis.stop();

            assertThat(timed(() -> status(api, kept))).as("a signed-in caller is served").isEqualTo(200);
            assertThat(timed(() -> call(api, "POST", "/auth/login", null, credentials(PASSWORD))).statusCode())
                    .as("sign-in works").isEqualTo(200);
            assertThat(timed(() -> call(api, "POST", "/auth/logout", ended, null)).statusCode()).isEqualTo(204);
            assertThat(timed(() -> status(api, ended))).as("the ended session is refused").isEqualTo(401);
            assertThat(timed(() -> call(api, "PATCH", "/tenants/" + tenant, kept,
                    "{\"status\":\"suspended\"}")).statusCode()).as("a change that retires cached grants")
                    .isEqualTo(200);
            // The account's limit (5) still holds, in this replica's memory: one sign-in above, then four
            // wrong passwords, and the next attempt is refused.
            for (int i = 0; i < 4; i++) {
                assertThat(timed(() -> call(api, "POST", "/auth/login", null, credentials("wrong password!"))
                        .statusCode())).isEqualTo(401);
            }
            HttpResponse<String> limited = timed(() -> call(api, "POST", "/auth/login", null, credentials(PASSWORD)));
            assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();

            // Back with its data from before: it never heard of the session that ended meanwhile.
            redis.startAgain();
            String revokedKey = namespace + ":revoked-session:" + sessionOf(ended);
            awaitRepairedWhileChecking(api, redis, revokedKey, kept, ended);
            assertThat(call(api, "POST", "/auth/login", null, credentials(PASSWORD)).statusCode())
                    .as("the limits are Redis's again (its bucket was not spent)").isEqualTo(200);
            assertThat(redis.cli("EXISTS", namespace + ":login:account:/" + ADMIN)).isEqualTo("1");

            // Flushed (or restarted empty): every copy is gone, and the ended session stays ended.
            assertThat(redis.cli("FLUSHALL")).isEqualTo("OK");
            awaitRepairedWhileChecking(api, redis, revokedKey, kept, ended);

            assertThat(api.output()).doesNotContain("unhandled error");
        }
    }

    /** Until Redis holds the ended session again, the old token is refused and the live one served, every time. */
    private static void awaitRepairedWhileChecking(AppJar api, RedisProcess redis, String revokedKey, String kept,
                                                   String ended) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            assertThat(timed(() -> status(api, ended))).as("the ended session stays ended").isEqualTo(401);
            assertThat(timed(() -> status(api, kept))).isEqualTo(200);
            assertThat(System.nanoTime()).as("Redis is repaired within 30 s:\n%s", api.tail(40)).isLessThan(deadline);
            Thread.sleep(100);
        } while (!"1".equals(redis.cli("EXISTS", revokedKey)));
        assertThat(status(api, ended)).isEqualTo(401);
        assertThat(status(api, kept)).isEqualTo(200);
    }

    private static String sessionOf(String accessToken) {
        String payload = accessToken.split("\\.")[1];
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
                .path("sid").asString();
    }

    private static String credentials(String password) {
        return "{\"username\":\"" + ADMIN + "\",\"password\":\"" + password + "\"}";
    }

    private static tools.jackson.databind.JsonNode login(AppJar api, String password) throws Exception {
        HttpResponse<String> response = call(api, "POST", "/auth/login", null, credentials(password));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static int status(AppJar api, String token) throws Exception {
        return call(api, "GET", "/auth/me", token, null).statusCode();
    }

    private static HttpResponse<String> call(AppJar api, String method, String path, String token, String body)
            throws Exception {
        return HttpCalls.send(api.base(), method, path, token, body);
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T timed(Call<T> call) throws Exception {
        long started = System.nanoTime();
        T result = call.run();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered without waiting out a timeout")
                .isLessThan(DOES_NOT_HANG);
        return result;
    }
}

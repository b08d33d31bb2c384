package dev.gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.ChildJvm;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Starts real processes the way every Gatehouse app starts. */
class GatehouseApplicationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void anUnreachableDatabaseEndsTheProcessWithOneLineNamingTheSetting() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ProbeApp.class,
                Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort() + "/gatehouse"),
                TIMEOUT);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.nonBlankLines()).singleElement().satisfies(line -> {
            assertThat(line).startsWith("probe: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:");
            assertThat(line).contains("GATEHOUSE_DB_URL");
            assertThat(line).doesNotContain("Exception", "\tat ");
        });
    }

    @Test
    void anUnreachableRedisEndsTheProcessWithOneLineNamingTheSetting() throws Exception {
        TestDatabase db = TestPostgres.instance().shared("platform", false);
        ChildJvm.Result result = ChildJvm.run(ProbeApp.class, Map.of(
                        "SPRING_DATASOURCE_URL", db.jdbcUrl(),
                        "SPRING_DATASOURCE_USERNAME", db.username(),
                        "SPRING_DATASOURCE_PASSWORD", db.password(),
                        "SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + closedPort()),
                TIMEOUT);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.nonBlankLines()).singleElement().satisfies(line -> {
            assertThat(line).startsWith("probe: cannot reach Redis at 127.0.0.1:");
            assertThat(line).contains("GATEHOUSE_REDIS_URL");
        });
    }

    @Test
    void reachableDependenciesPassTheCheck() {
        TestDatabase db = TestPostgres.instance().shared("platform", false);
        var env = new org.springframework.mock.env.MockEnvironment()
                .withProperty("spring.datasource.url", db.jdbcUrl())
                .withProperty("spring.datasource.username", db.username())
                .withProperty("spring.datasource.password", db.password())
                .withProperty("spring.data.redis.url", TestRedis.instance().url());
        assertThat(DependencyCheck.firstProblem(env)).isEmpty();
    }

    @Test
    void jsonLogFormatPrintsOneJsonObjectPerLine() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ProbeApp.class, Map.of("GATEHOUSE_LOG_FORMAT", "json"), TIMEOUT);

        assertThat(result.exitCode()).isZero();
        JsonMapper json = JsonMapper.builder().build();
        var logLines = result.nonBlankLines().stream().filter(l -> l.startsWith("{")).toList();
        assertThat(logLines).isNotEmpty();
        for (String line : logLines) {
            JsonNode node = json.readTree(line);
            assertThat(node.path("@timestamp").isMissingNode()).isFalse();
            assertThat(node.path("service").asString()).isEqualTo("probe");
        }
        assertThat(logLines).anyMatch(l -> l.contains("\"message\":\"probe finished\""));
        // The banner aside, nothing but JSON reaches stdout.
        assertThat(result.nonBlankLines().stream().filter(l -> !l.startsWith("{")).toList())
                .allMatch(l -> !l.contains(" INFO ") && !l.contains(" WARN "));
    }

    @Test
    void plainTextIsTheDefaultLogFormat() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ProbeApp.class, Map.of(), TIMEOUT);

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).anyMatch(l -> l.contains("INFO") && l.contains("probe finished"));
        assertThat(result.lines()).noneMatch(l -> l.startsWith("{"));
    }

    private static int closedPort() {
        return Ports.free();
    }
}

package dev.gatehouse.scheduler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.AppJar;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scheduler's jar with GATEHOUSE_LOG_FORMAT=json: every line is one JSON object, and the lines
 * a job run writes name the job and the run's fencing token.
 */
class JobLogsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aRunsLinesNameTheJobAndItsRunToken() throws Exception {
        TestDatabase db = TestPostgres.instance().createMigratedDatabase();
        List<JsonNode> lines;
        try (AppJar scheduler = AppJar.start(AppJar.of("scheduler"), Map.of(
                "GATEHOUSE_DB_URL", db.jdbcUrl(),
                "GATEHOUSE_DB_USER", db.username(),
                "GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password(),
                "GATEHOUSE_REDIS_URL", TestRedis.instance().url(),
                "GATEHOUSE_REDIS_NAMESPACE", "job-logs-" + UUID.randomUUID(),
                "GATEHOUSE_DATA_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                "GATEHOUSE_LOG_FORMAT", "json"), Ports.free())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (scheduler.lines().stream().noneMatch(l -> l.contains("\"job partitions run "))) {
                assertThat(System.nanoTime()).as("the partitions job runs at start:\n%s", scheduler.tail(40))
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            scheduler.stop();
            List<String> printed = scheduler.lines().stream().filter(l -> l.startsWith("{")).toList();
            assertThat(scheduler.lines().stream().filter(l -> !l.isBlank() && !l.startsWith("{")).toList())
                    .as("only the banner is not JSON").allMatch(l -> !l.contains(" INFO ") && !l.contains(" WARN "));
            lines = printed.stream().map(JSON::readTree).toList();
        }
        JsonNode run = lines.stream().filter(l -> l.path("message").asString().startsWith("job partitions run "))
                .findFirst().orElseThrow();
        assertThat(run.path("job_name").asString()).isEqualTo("partitions");
        assertThat(run.path("run_token").asString()).matches("[0-9]+");
        assertThat(run.path("message").asString()).startsWith("job partitions run " + run.path("run_token").asString());
        assertThat(run.path("service").asString()).isEqualTo("scheduler");
        // Lines of the scheduler itself, outside any run, carry no run's fields.
        assertThat(lines).filteredOn(l -> l.path("message").asString().startsWith("Started "))
                .allSatisfy(l -> assertThat(l.has("job_name")).isFalse());
    }
}

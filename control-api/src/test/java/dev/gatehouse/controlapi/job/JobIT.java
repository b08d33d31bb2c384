package dev.gatehouse.controlapi.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** /jobs shows platform admins what the scheduler recorded: its jobs, their triggers and their runs. */
class JobIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void onlyPlatformAdminsSeeJobs() {
        Tenant tenant = newTenant();
        String job = job("a tenant may not see this");
        for (String role : new String[] {"owner", "admin", "viewer"}) {
            Member member = member(tenant, role);
            assertThat(member.api().get("/jobs").status()).isEqualTo(403);
            assertThat(member.api().get("/jobs/" + job + "/runs").status()).isEqualTo(403);
        }
        assertThat(anonymous.get("/jobs").status()).isEqualTo(401);
    }

    @Test
    void aJobShowsItsScheduleNextFireTimeLastRunAndTheLastDaysRunsAndFailures() {
        String busy = job("rolls usage up");
        String idle = job("never ran");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        run(busy, "sched-a", now.minus(30, ChronoUnit.HOURS), now.minus(30, ChronoUnit.HOURS).plusMillis(1500), 7L,
                "failed", "too old to count");
        long failed = run(busy, "sched-b", now.minus(2, ChronoUnit.HOURS), now.minus(2, ChronoUnit.HOURS).plusMillis(250),
                null, "failed", "connection refused");
        long succeeded = run(busy, "sched-a", now.minus(1, ChronoUnit.HOURS),
                now.minus(1, ChronoUnit.HOURS).plusMillis(1200), 42L, "succeeded", null);
        long running = run(busy, "sched-b", now.minus(1, ChronoUnit.MINUTES), null, null, "running", null);
        long nextFire = now.plus(10, ChronoUnit.MINUTES).toEpochMilli();
        trigger(busy, nextFire);

        JsonNode shown = find(busy);
        assertThat(shown.path("description").asString()).isEqualTo("rolls usage up");
        assertThat(shown.path("schedule").asString()).isEqualTo("every 1m");
        assertThat(Instant.parse(shown.path("next_fire_at").asString())).isEqualTo(Instant.ofEpochMilli(nextFire));
        assertThat(shown.path("runs_24h").asLong()).isEqualTo(3);
        assertThat(shown.path("failures_24h").asLong()).isEqualTo(1);
        JsonNode last = shown.path("last_run");
        assertThat(last.path("id").asLong()).isEqualTo(running);
        assertThat(last.path("instance").asString()).isEqualTo("sched-b");
        assertThat(last.path("outcome").asString()).isEqualTo("running");
        assertThat(last.path("finished_at").isNull()).isTrue();
        assertThat(last.path("duration_ms").isNull()).isTrue();

        JsonNode quiet = find(idle);
        assertThat(quiet.path("next_fire_at").isNull()).isTrue();
        assertThat(quiet.path("last_run").isNull()).isTrue();
        assertThat(quiet.path("runs_24h").asLong()).isZero();
        assertThat(quiet.path("failures_24h").asLong()).isZero();

        Api.Response runs = root.get("/jobs/" + busy + "/runs");
        assertThat(runs.status()).as(runs.body()).isEqualTo(200);
        assertThat(runs.json().path("total").asLong()).isEqualTo(4);
        assertThat(runs.json().path("items").get(0).path("id").asLong()).isEqualTo(running);
        JsonNode second = runs.json().path("items").get(1);
        assertThat(second.path("id").asLong()).isEqualTo(succeeded);
        assertThat(second.path("outcome").asString()).isEqualTo("succeeded");
        assertThat(second.path("duration_ms").asLong()).isEqualTo(1200);
        assertThat(second.path("rows_touched").asLong()).isEqualTo(42);
        assertThat(second.path("instance").asString()).isEqualTo("sched-a");
        assertThat(Instant.parse(second.path("started_at").asString())).isEqualTo(now.minus(1, ChronoUnit.HOURS));
        JsonNode third = root.get("/jobs/" + busy + "/runs?limit=1&offset=2").json().path("items").get(0);
        assertThat(third.path("id").asLong()).isEqualTo(failed);
        assertThat(third.path("outcome").asString()).isEqualTo("failed");
        assertThat(third.path("error").asString()).isEqualTo("connection refused");
        assertThat(third.path("rows_touched").isNull()).isTrue();
        assertThat(root.get("/jobs/" + idle + "/runs").json().path("total").asLong()).isZero();

        Api.Response unknown = root.get("/jobs/no-such-job-" + UUID.randomUUID() + "/runs");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("content-type")).startsWith("application/problem+json");
    }

    /** A job as the scheduler records it at startup. */
    private String job(String description) {
        String name = "job-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("INSERT INTO scheduler_jobs (job, description, schedule) VALUES (?, ?, 'every 1m')")
                .params(name, description).update();
        return name;
    }

    private long run(String job, String instance, Instant started, Instant finished, Long rows, String outcome,
                     String error) {
        return jdbc.sql("""
                        INSERT INTO job_runs (job, instance, token, started_at, finished_at, rows_touched, outcome, error)
                        VALUES (?, ?, 1, ?, ?, ?, ?, ?) RETURNING id""")
                .params(job, instance, java.sql.Timestamp.from(started),
                        finished == null ? null : java.sql.Timestamp.from(finished), rows, outcome, error)
                .query(Long.class).single();
    }

    /** The job's Quartz trigger, as Quartz's JDBC store keeps it. */
    private void trigger(String job, long nextFireTime) {
        jdbc.sql("""
                        INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, is_durable,
                                                      is_nonconcurrent, is_update_data, requests_recovery)
                        VALUES ('gatehouse', ?, 'gatehouse', 'dev.gatehouse.scheduler.job.TaskJob', true, true, false, true)""")
                .param(job).update();
        jdbc.sql("""
                        INSERT INTO qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, job_group,
                                                   next_fire_time, prev_fire_time, priority, trigger_state,
                                                   trigger_type, start_time)
                        VALUES ('gatehouse', ?, 'gatehouse', ?, 'gatehouse', ?, -1, 5, 'WAITING', 'SIMPLE', ?)""")
                .params(job, job, nextFireTime, nextFireTime - 60_000).update();
    }

    /** The job as /jobs lists it, page by page. */
    private JsonNode find(String name) {
        for (int offset = 0; ; offset += 200) {
            Api.Response page = root.get("/jobs?limit=200&offset=" + offset);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            for (JsonNode job : page.json().path("items")) {
                if (job.path("name").asString().equals(name)) {
                    return job;
                }
            }
            if (offset + 200 >= page.json().path("total").asLong()) {
                throw new AssertionError(name + " is not listed");
            }
        }
    }
}

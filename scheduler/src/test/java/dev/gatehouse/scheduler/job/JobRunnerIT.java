package dev.gatehouse.scheduler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.JobRunOutcome;
import dev.gatehouse.scheduler.SchedulerIT;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fencing tokens, the run history and the job metrics, on the real database. */
class JobRunnerIT extends SchedulerIT {

    @BeforeEach
    void marks() {
        jdbc.sql("CREATE TABLE IF NOT EXISTS fencing_marks (job text, token bigint)").update();
    }

    private ScheduledTask task(String name, ToLongFunction<JobContext> body) {
        return new ScheduledTask() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "test";
            }

            @Override
            public Duration defaultInterval() {
                return Duration.ofMinutes(1);
            }

            @Override
            public long run(JobContext context) {
                return body.applyAsLong(context);
            }
        };
    }

    private long mark(JobContext context) {
        return context.write(() -> jdbc.sql("INSERT INTO fencing_marks VALUES (?, ?)")
                .params(context.job(), context.token()).update());
    }

    @Test
    void aRunThatLostItsJobToANewerRunCannotWrite() {
        String job = "fencing-" + System.nanoTime();
        AtomicReference<JobRunner.Run> newer = new AtomicReference<>();
        JobRunner.Run older = runner.run(task(job, context -> {
            // Another instance takes the job over while this run is between its reads and its write.
            newer.set(runner.run(task(job, this::mark)));
            return mark(context);
        }));

        assertThat(newer.get().outcome()).isEqualTo(JobRunOutcome.SUCCEEDED);
        assertThat(older.outcome()).isEqualTo(JobRunOutcome.FENCED);
        assertThat(newer.get().token()).isEqualTo(older.token() + 1);
        assertThat(jdbc.sql("SELECT token FROM fencing_marks WHERE job = ?").param(job).query(Long.class).list())
                .containsExactly(newer.get().token());
        assertThat(jdbc.sql("SELECT outcome FROM job_runs WHERE job = ? ORDER BY token").param(job)
                .query(String.class).list()).containsExactly("fenced", "succeeded");
    }

    @Test
    void aFailureIsRecordedAsOneLineWithoutItsStack() {
        String job = "failing-" + System.nanoTime();
        JobRunner.Run run = runner.run(task(job, context -> context.write(() ->
                jdbc.sql("SELECT 1 / 0").query(Long.class).single())));

        assertThat(run.outcome()).isEqualTo(JobRunOutcome.FAILED);
        String error = jdbc.sql("SELECT error FROM job_runs WHERE id = ?").param(run.id()).query(String.class).single();
        assertThat(error).contains("division by zero").doesNotContain("\n").doesNotContain("at org.");
        assertThat(jdbc.sql("SELECT finished_at IS NOT NULL FROM job_runs WHERE id = ?").param(run.id())
                .query(Boolean.class).single()).isTrue();
    }

    @Test
    void runsAreCountedTimedAndTheirRowsRecorded() throws Exception {
        String job = "counted-" + System.nanoTime();
        runner.run(task(job, context -> 7));
        runner.run(task(job, context -> 5));

        List<Long> rows = jdbc.sql("SELECT rows_touched FROM job_runs WHERE job = ? ORDER BY id").param(job)
                .query(Long.class).list();
        assertThat(rows).containsExactly(7L, 5L);
        String metrics = dev.gatehouse.testkit.ActuatorProbe.get(port, "/actuator/prometheus").body();
        assertThat(metrics).contains("gatehouse_scheduler_job_rows_total{job_name=\"" + job + "\"} 12.0")
                .contains("gatehouse_scheduler_job_last_rows{job_name=\"" + job + "\"} 5.0")
                .contains("gatehouse_scheduler_job_duration_seconds_count{job_name=\"" + job + "\",outcome=\"succeeded\"} 2")
                .contains("gatehouse_scheduler_job_last_success_seconds{job_name=\"" + job + "\"}");
    }
}

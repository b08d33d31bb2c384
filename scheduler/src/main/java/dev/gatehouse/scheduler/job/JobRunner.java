package dev.gatehouse.scheduler.job;

import dev.gatehouse.domain.model.JobRunOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a job once: takes the job's next fencing token (which fences off any older run still going),
 * logs the run in job_runs, runs it, and records the outcome, the rows it touched and its duration
 * in job_runs and in metrics. A failure is logged with its cause here and never reaches Quartz.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    /** Log fields (MDC) of every line a run writes. */
    static final String JOB_NAME = "job_name";
    static final String RUN_TOKEN = "run_token";

    /** One run as recorded. */
    public record Run(long id, long token, JobRunOutcome outcome, long rows, Duration took, String error) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeterRegistry meters;
    private final String instance;
    private final ObjectProvider<Tracer> tracers;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastRows = new ConcurrentHashMap<>();

    public JobRunner(JdbcClient jdbc, TransactionTemplate tx, Clock clock, MeterRegistry meters,
                     SchedulerInstance instance, ObjectProvider<Tracer> tracers) {
        this.tracers = tracers;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.meters = meters;
        this.instance = instance.name();
    }

    /**
     * Runs the task once. Its log lines carry {@code job_name} and {@code run_token} (the run's
     * fencing token, one higher each run of the job); with tracing on, the run is one span.
     */
    public Run run(ScheduledTask task) {
        String job = task.name();
        Tracer tracer = tracers.getIfAvailable(() -> Tracer.NOOP);
        Span span = tracer.nextSpan().name("job " + job).tag(JOB_NAME, job).start();
        try (Tracer.SpanInScope traced = tracer.withSpan(span);
             MDC.MDCCloseable named = MDC.putCloseable(JOB_NAME, job)) {
            Run run = runLogged(task, job);
            span.tag(RUN_TOKEN, String.valueOf(run.token())).tag("outcome", run.outcome().db());
            return run;
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            MDC.remove(RUN_TOKEN);
            span.end();
        }
    }

    private Run runLogged(ScheduledTask task, String job) {
        long token = tx.execute(status -> jdbc.sql("""
                        INSERT INTO job_leases (job, token, holder, acquired_at) VALUES (?, 1, ?, now())
                        ON CONFLICT (job) DO UPDATE SET token = job_leases.token + 1, holder = EXCLUDED.holder,
                                                        acquired_at = EXCLUDED.acquired_at
                        RETURNING token""")
                .params(job, instance).query(Long.class).single());
        MDC.put(RUN_TOKEN, String.valueOf(token));
        Instant started = clock.instant();
        long runId = jdbc.sql("""
                        INSERT INTO job_runs (job, instance, token, started_at, outcome) VALUES (?, ?, ?, ?, ?)
                        RETURNING id""")
                .params(job, instance, token, Timestamp.from(started), JobRunOutcome.RUNNING.db())
                .query(Long.class).single();
        long nanos = System.nanoTime();
        JobRunOutcome outcome;
        long rows = 0;
        String error = null;
        try {
            rows = task.run(new JobContext(job, token, jdbc, tx, clock));
            outcome = JobRunOutcome.SUCCEEDED;
        } catch (LeaseLostException e) {
            outcome = JobRunOutcome.FENCED;
            error = e.getMessage();
            log.warn("{}", e.getMessage());
        } catch (RuntimeException e) {
            outcome = JobRunOutcome.FAILED;
            error = summary(e);
            log.error("job {} failed", job, e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - nanos);
        jdbc.sql("""
                        UPDATE job_runs SET finished_at = ?, rows_touched = ?, outcome = ?, error = ? WHERE id = ?""")
                .params(Timestamp.from(started.plus(took)), rows, outcome.db(), error, runId).update();
        record(job, outcome, rows, took);
        log.info("job {} run {}: {}, {} rows in {} ms", job, token, outcome.db(), rows, took.toMillis());
        return new Run(runId, token, outcome, rows, took, error);
    }

    private void record(String job, JobRunOutcome outcome, long rows, Duration took) {
        Timer.builder("gatehouse_scheduler_job_duration").tag("job_name", job).tag("outcome", outcome.db())
                .description("How long runs of each job took").register(meters).record(took);
        Counter.builder("gatehouse_scheduler_job_rows").tag("job_name", job)
                .description("Rows the job's runs touched").register(meters).increment(rows);
        lastRows.computeIfAbsent(job, j -> gauge("gatehouse_scheduler_job_last_rows", j,
                "Rows the job's last run touched")).set(rows);
        if (outcome == JobRunOutcome.SUCCEEDED) {
            lastSuccess.computeIfAbsent(job, j -> gauge("gatehouse_scheduler_job_last_success_seconds", j,
                    "When the job last succeeded, in seconds since the epoch")).set(clock.instant().getEpochSecond());
        }
    }

    private AtomicLong gauge(String name, String job, String description) {
        AtomicLong value = new AtomicLong();
        Gauge.builder(name, value, AtomicLong::get).tag("job_name", job).description(description).register(meters);
        return value;
    }

    /** The failure as one line for job_runs and /jobs: its kind of cause and message, never a stack. */
    private static String summary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }
}

package dev.gatehouse.controlapi.job;

import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.domain.model.JobRunOutcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The scheduler's jobs as it records them (scheduler_jobs, job_runs) and Quartz's triggers, read in
 * SQL; nothing here writes them.
 */
@Component
class JobRepository {

    /** One run of a job. */
    record Run(long id, String instance, Instant startedAt, Instant finishedAt, Long rowsTouched,
               JobRunOutcome outcome, String error) {
    }

    /** A job, when its trigger fires next (null when none does), its last run and its last day's runs. */
    record Job(String name, String description, String schedule, Instant nextFireAt, Run lastRun, long runs24h,
               long failures24h) {
    }

    private final JdbcClient jdbc;

    JobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every job by name, with its runs counted since {@code since}. */
    Page<Job> list(Instant since, PageRequest page) {
        long total = jdbc.sql("SELECT count(*) FROM scheduler_jobs").query(Long.class).single();
        // A trigger that fires no more has next_fire_time -1 in Quartz's tables, or none.
        List<Job> items = jdbc.sql("""
                        SELECT j.job, j.description, j.schedule,
                               (SELECT min(t.next_fire_time) FROM qrtz_triggers t
                                WHERE t.job_name = j.job AND t.next_fire_time >= 0),
                               r.id, r.instance, r.started_at, r.finished_at, r.rows_touched, r.outcome, r.error,
                               (SELECT count(*) FROM job_runs x WHERE x.job = j.job AND x.started_at >= ?),
                               (SELECT count(*) FROM job_runs x WHERE x.job = j.job AND x.started_at >= ?
                                                                  AND x.outcome = ?)
                        FROM scheduler_jobs j
                        LEFT JOIN LATERAL (SELECT * FROM job_runs l WHERE l.job = j.job
                                           ORDER BY l.started_at DESC, l.id DESC LIMIT 1) r ON true
                        ORDER BY j.job
                        LIMIT ? OFFSET ?""")
                .params(Timestamp.from(since), Timestamp.from(since), JobRunOutcome.FAILED.db(), page.limit(),
                        page.offset())
                .query((rs, n) -> new Job(rs.getString(1), rs.getString(2), rs.getString(3),
                        epochMillis(rs.getObject(4, Long.class)), rs.getObject(5) == null ? null : run(rs, 5),
                        rs.getLong(12), rs.getLong(13)))
                .list();
        return new Page<>(items, total, page);
    }

    boolean exists(String job) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM scheduler_jobs WHERE job = ?)").param(job)
                .query(Boolean.class).single();
    }

    /** The job's runs, newest first. */
    Page<Run> runs(String job, PageRequest page) {
        long total = jdbc.sql("SELECT count(*) FROM job_runs WHERE job = ?").param(job).query(Long.class).single();
        List<Run> items = jdbc.sql("""
                        SELECT r.id, r.instance, r.started_at, r.finished_at, r.rows_touched, r.outcome, r.error
                        FROM job_runs r WHERE r.job = ?
                        ORDER BY r.started_at DESC, r.id DESC LIMIT ? OFFSET ?""")
                .params(job, page.limit(), page.offset())
                .query((rs, n) -> run(rs, 1))
                .list();
        return new Page<>(items, total, page);
    }

    /** The run whose seven columns start at {@code first}. */
    private static Run run(ResultSet rs, int first) throws SQLException {
        return new Run(rs.getLong(first), rs.getString(first + 1), instant(rs.getTimestamp(first + 2)),
                instant(rs.getTimestamp(first + 3)), rs.getObject(first + 4, Long.class),
                JobRunOutcome.fromDb(rs.getString(first + 5)), rs.getString(first + 6));
    }

    private static Instant epochMillis(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

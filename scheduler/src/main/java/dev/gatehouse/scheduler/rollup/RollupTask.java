package dev.gatehouse.scheduler.rollup;

import dev.gatehouse.scheduler.job.Arrivals;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Recomputes hourly rollups from raw events. The hours to recompute are those of the events that
 * arrived since the watermark, up to the bound before which every arrival is committed
 * ({@link Arrivals}), found through the BRIN index on received_at rather than by rescanning; each
 * is recomputed whole per (hour, subscription, node, engine) with an upsert that writes only
 * rows whose figures differ, so a second run changes nothing and a late event re-rolls its hour.
 */
@Component
public class RollupTask implements ScheduledTask {

    private final JdbcClient jdbc;

    public RollupTask(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "rollups";
    }

    @Override
    public String description() {
        return "Recomputes the hourly rollups of every hour that received events since the arrival watermark;"
                + " idempotent";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofMinutes(5);
    }

    @Override
    public long run(JobContext context) {
        Timestamp upto = Arrivals.committedBefore(jdbc);
        Timestamp from = jdbc.sql("SELECT received_through FROM rollup_watermark").query(Timestamp.class).single();
        if (!upto.after(from)) {
            return 0;
        }
        List<Instant> hours = jdbc.sql("""
                        SELECT DISTINCT date_trunc('hour', event_end_ts) FROM traffic_events
                        WHERE received_at >= ? AND received_at < ? ORDER BY 1""")
                .params(from, upto).query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
        long rows = 0;
        for (Instant hour : hours) {
            rows += context.write(() -> rollUp(hour));
        }
        context.write(() -> jdbc.sql("UPDATE rollup_watermark SET received_through = ?, updated_at = now()")
                .param(upto).update());
        return rows;
    }

    /** Recomputes one hour, in the caller's transaction; returns the rollup rows inserted or changed. */
    public int rollUp(Instant hour) {
        Timestamp start = Timestamp.from(hour);
        Timestamp end = Timestamp.from(hour.plus(Duration.ofHours(1)));
        // Measured (docs/benchmarks.md): after a few runs PostgreSQL would switch this statement to a
        // generic plan that expects a small hour, reads it through an index and sorts on disk, twice as
        // slow; and the aggregate of a full hour spills at the default work_mem.
        jdbc.sql("SET LOCAL plan_cache_mode = force_custom_plan").update();
        jdbc.sql("SET LOCAL work_mem = '64MB'").update();
        return jdbc.sql("""
                        INSERT INTO traffic_rollups_hourly AS r (hour_start_ts, subscription_id, node_id, engine, user_id,
                                                                 tenant_id, bytes_up, bytes_down, events, computed_at)
                        SELECT ?, subscription_id, node_id, engine, user_id, tenant_id, sum(bytes_up), sum(bytes_down),
                               count(*), now()
                        FROM traffic_events
                        WHERE event_end_ts >= ? AND event_end_ts < ?
                        GROUP BY subscription_id, node_id, engine, user_id, tenant_id
                        ON CONFLICT (hour_start_ts, subscription_id, node_id, engine) DO UPDATE
                        SET bytes_up = EXCLUDED.bytes_up, bytes_down = EXCLUDED.bytes_down, events = EXCLUDED.events,
                            computed_at = EXCLUDED.computed_at
                        WHERE (r.bytes_up, r.bytes_down, r.events)
                              IS DISTINCT FROM (EXCLUDED.bytes_up, EXCLUDED.bytes_down, EXCLUDED.events)""")
                .params(start, start, end).update();
    }
}

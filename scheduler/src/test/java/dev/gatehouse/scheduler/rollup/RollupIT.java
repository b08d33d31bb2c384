package dev.gatehouse.scheduler.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.JobRunOutcome;
import dev.gatehouse.scheduler.SchedulerIT;
import dev.gatehouse.scheduler.TrafficRows;
import dev.gatehouse.scheduler.job.JobRunner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Hourly rollups from raw events: exact sums, idempotent re-runs, late events, the arrival watermark. */
class RollupIT extends SchedulerIT {

    @Autowired
    DataSource dataSource;

    private final UUID tenant = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();
    private final UUID subscription = UUID.randomUUID();
    private final UUID node = UUID.randomUUID();
    private final Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));

    private long[] rollup(Instant h) {
        return jdbc.sql("""
                        SELECT bytes_up, bytes_down, events FROM traffic_rollups_hourly
                        WHERE hour_start_ts = ? AND subscription_id = ? AND node_id = ? AND engine = 'xray'""")
                .params(Timestamp.from(h), subscription, node)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).optional()
                .orElse(null);
    }

    private Timestamp computedAt(Instant h) {
        return jdbc.sql("SELECT computed_at FROM traffic_rollups_hourly WHERE subscription_id = ? AND hour_start_ts = ?")
                .params(subscription, Timestamp.from(h)).query(Timestamp.class).single();
    }

    @Test
    void anHourIsSummedOnceAndASecondRunChangesNothing() {
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(60), 100, 1000);
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(3599), 20, 200);
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(3600), 3, 30);

        JobRunner.Run first = run("rollups");
        assertThat(first.outcome()).isEqualTo(JobRunOutcome.SUCCEEDED);
        assertThat(rollup(hour)).containsExactly(120, 1200, 2);
        assertThat(rollup(hour.plusSeconds(3600))).containsExactly(3, 30, 1);
        Timestamp computed = computedAt(hour);

        // Nothing arrived since: nothing to do. Recomputing the hour by hand writes nothing either.
        assertThat(run("rollups").rows()).isZero();
        Integer rewritten = tx.execute(s -> ((RollupTask) task("rollups")).rollUp(hour));
        assertThat(rewritten).isZero();
        assertThat(computedAt(hour)).isEqualTo(computed);
    }

    @Test
    void aLateEventReRollsOnlyItsHour() {
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(600), 10, 10);
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(4200), 10, 10);
        run("rollups");
        Timestamp nextHourComputed = computedAt(hour.plusSeconds(3600));

        // An agent that was offline for hours sends an old sample now.
        TrafficRows.event(jdbc, tenant, subscription, user, node, hour.plusSeconds(900), 5, 7);
        JobRunner.Run late = run("rollups");

        assertThat(late.rows()).isPositive();
        assertThat(rollup(hour)).containsExactly(15, 17, 2);
        assertThat(rollup(hour.plusSeconds(3600))).containsExactly(10, 10, 1);
        assertThat(computedAt(hour.plusSeconds(3600))).isEqualTo(nextHourComputed);
    }

    @Test
    void anEventOfATransactionStillOpenIsNotLeftBehindTheWatermark() throws Exception {
        try (Connection ingest = dataSource.getConnection()) {
            ingest.setAutoCommit(false);
            // Its received_at is this transaction's start, before the rollup below runs.
            try (PreparedStatement insert = ingest.prepareStatement("""
                    INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                                subscription_id, event_start_ts, bytes_up, bytes_down)
                    VALUES (?, ?, 'xray', ?, 999999, ?, ?, ?, 40, 400)""")) {
                insert.setTimestamp(1, Timestamp.from(hour.plusSeconds(1800)));
                insert.setObject(2, node);
                insert.setObject(3, user);
                insert.setObject(4, tenant);
                insert.setObject(5, subscription);
                insert.setTimestamp(6, Timestamp.from(hour.plusSeconds(1740)));
                insert.executeUpdate();
            }
            run("rollups");
            ingest.commit();
        }
        run("rollups");

        assertThat(rollup(hour)).containsExactly(40, 400, 1);
    }
}

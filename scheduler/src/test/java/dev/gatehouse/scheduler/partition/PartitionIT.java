package dev.gatehouse.scheduler.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.JobRunOutcome;
import dev.gatehouse.scheduler.SchedulerIT;
import dev.gatehouse.scheduler.TrafficRows;
import dev.gatehouse.scheduler.job.JobRunner;
import dev.gatehouse.testkit.ActuatorProbe;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Partitions made ahead, rows rescued from the default partition, retention, lock timeouts. */
class PartitionIT extends SchedulerIT {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    @Autowired
    DataSource dataSource;

    private boolean exists(String table) {
        return jdbc.sql("SELECT to_regclass(?) IS NOT NULL").param(table).query(Boolean.class).single();
    }

    private long rowsIn(String table, UUID subscription) {
        return jdbc.sql("SELECT count(*) FROM " + table + " WHERE subscription_id = ?").param(subscription)
                .query(Long.class).single();
    }

    @Test
    void anEventForADayWithoutPartitionIsKeptThenMovedIntoItsDayAfterTimeWithoutARun() throws Exception {
        // Twenty days on: no partition exists for that day (the first migration made three weeks).
        Instant later = Instant.now().plus(Duration.ofDays(20));
        LocalDate day = LocalDate.ofInstant(later, ZoneOffset.UTC);
        UUID subscription = UUID.randomUUID();
        TrafficRows.event(jdbc, UUID.randomUUID(), subscription, UUID.randomUUID(), UUID.randomUUID(), later, 5, 6);
        assertThat(exists("traffic_events_p" + DAY.format(day))).isFalse();
        assertThat(rowsIn("traffic_events_default", subscription)).isEqualTo(1);

        CLOCK.set(later);
        JobRunner.Run run = run("partitions");

        assertThat(run.outcome()).isEqualTo(JobRunOutcome.SUCCEEDED);
        for (int i = 0; i <= 7; i++) {
            assertThat(exists("traffic_events_p" + DAY.format(day.plusDays(i)))).as("day +%d", i).isTrue();
        }
        assertThat(exists("traffic_rollups_hourly_p" + DateTimeFormatter.ofPattern("yyyyMM")
                .format(day.plusMonths(3)))).isTrue();
        assertThat(rowsIn("traffic_events_default", subscription)).isZero();
        assertThat(rowsIn("traffic_events_p" + DAY.format(day), subscription)).isEqualTo(1);
        assertThat(rowsIn("traffic_events", subscription)).isEqualTo(1);
        assertThat(ActuatorProbe.get(port, "/actuator/prometheus").body())
                .contains("gatehouse_traffic_default_partition_rows{table=\"traffic_events\"} 0.0");
        // Again: nothing left to do.
        assertThat(run("partitions").rows()).isZero();
    }

    @Test
    void partitionsPastRetentionAreDropped() {
        jdbc.sql("SELECT gatehouse_ensure_event_partitions(DATE '2020-01-01', 1)").query(Integer.class).single();
        jdbc.sql("SELECT gatehouse_ensure_rollup_partitions(DATE '2020-01-01', 1)").query(Integer.class).single();
        TrafficRows.event(jdbc, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
                Instant.parse("2020-01-01T12:00:00Z"), 1, 1);
        assertThat(exists("traffic_events_p20200101")).isTrue();

        assertThat(run("partitions").outcome()).isEqualTo(JobRunOutcome.SUCCEEDED);

        assertThat(exists("traffic_events_p20200101")).isFalse();
        assertThat(exists("traffic_rollups_hourly_p202001")).isFalse();
        // Within retention: kept.
        assertThat(exists("traffic_events_p" + DAY.format(LocalDate.now(ZoneOffset.UTC).minusDays(7)))).isTrue();
    }

    @Test
    void aPartitionThatCannotGetItsLockWaitsOnlyTheTimeoutAndLeavesNothingHalfMade() throws Exception {
        // Days no other test makes, and nothing old enough to drop.
        Instant later = Instant.now().plus(Duration.ofDays(28));
        String first = "traffic_events_p" + DAY.format(LocalDate.ofInstant(later, ZoneOffset.UTC).plusDays(7));
        CLOCK.set(later);
        try (Connection holder = dataSource.getConnection(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            // Conflicts with attaching a partition, not with reads or ingest.
            s.execute("LOCK TABLE traffic_events IN SHARE UPDATE EXCLUSIVE MODE");
            long started = System.nanoTime();
            JobRunner.Run blocked = run("partitions");
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(blocked.outcome()).isEqualTo(JobRunOutcome.FAILED);
            assertThat(blocked.error()).contains("partitions left for the next run").contains("lock timeout");
            // Eight days, each waiting at most 500 ms for the lock.
            assertThat(tookMillis).isLessThan(30_000);
            assertThat(exists(first)).isFalse();
            holder.rollback();
        }
        assertThat(run("partitions").outcome()).isEqualTo(JobRunOutcome.SUCCEEDED);
        assertThat(exists(first)).isTrue();
    }
}

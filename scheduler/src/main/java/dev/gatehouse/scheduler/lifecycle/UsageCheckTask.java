package dev.gatehouse.scheduler.lifecycle;

import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.Arrivals;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Checks the usage ledger against the stored events and corrects drift. Per subscription a
 * checkpoint holds its lifetime counters as they stood once every event that arrived up to an
 * instant was counted; a check adds the billed bytes (at the node's coefficient, rounded per event,
 * as ingest bills) of the events that arrived since, and compares with the counters under the
 * subscription's row lock. An ingest for the subscription either committed before the lock (its
 * events and counters both seen) or waits for it (neither seen), so the check never races ingest.
 * A difference is drift: counted, logged, and taken off (or added to) the lifetime and period
 * counters. A window with events on a node whose coefficient changed is re-based, not corrected.
 */
@Component
class UsageCheckTask implements ScheduledTask {

    private static final Logger log = LoggerFactory.getLogger(UsageCheckTask.class);

    /** Up and down bytes. */
    record Bytes(long up, long down) {
        static final Bytes ZERO = new Bytes(0, 0);

        Bytes plus(Bytes o) {
            return new Bytes(up + o.up, down + o.down);
        }

        Bytes minus(Bytes o) {
            return new Bytes(up - o.up, down - o.down);
        }

        boolean zero() {
            return up == 0 && down == 0;
        }
    }

    /** Billed bytes of events per subscription, and the nodes they came from. */
    private static final class Billed {
        final Map<UUID, Bytes> bytes = new HashMap<>();
        final Map<UUID, Set<UUID>> nodes = new HashMap<>();

        void add(UUID subscription, UUID node, Bytes b) {
            bytes.merge(subscription, b, Bytes::plus);
            nodes.computeIfAbsent(subscription, k -> new HashSet<>()).add(node);
        }

        Bytes of(UUID subscription) {
            return bytes.getOrDefault(subscription, Bytes.ZERO);
        }

        Set<UUID> nodesOf(UUID subscription) {
            return nodes.getOrDefault(subscription, Set.of());
        }
    }

    private record Checkpoint(Timestamp through, Bytes lifetime, Timestamp checkedAt) {
    }

    private final JdbcClient jdbc;
    private final int batch;
    private final Counter driftBytes;
    private final Counter corrected;
    private final Counter rebased;

    UsageCheckTask(JdbcClient jdbc, SchedulerProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.batch = properties.usageCheckBatch();
        this.driftBytes = Counter.builder("gatehouse_usage_drift_bytes")
                .description("Bytes by which running usage counters differed from the stored events (corrected)")
                .register(meters);
        this.corrected = Counter.builder("gatehouse_usage_drift_corrections")
                .description("Subscriptions whose usage counters were corrected from the stored events").register(meters);
        this.rebased = Counter.builder("gatehouse_usage_check_rebased")
                .description("Subscriptions checked across a coefficient change, taken as they stood").register(meters);
    }

    @Override
    public String name() {
        return "usage-check";
    }

    @Override
    public String description() {
        return "Compares every subscription's usage counters with the billed bytes of its stored events under the row"
                + " lock; corrects and counts drift";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(1);
    }

    @Override
    public long run(JobContext context) {
        Timestamp upto = Arrivals.committedBefore(jdbc);
        Billed settled = settledSinceCheckpoints(upto);
        long drifted = 0;
        UUID after = new UUID(0, 0);
        while (true) {
            List<UUID> ids = jdbc.sql("SELECT id FROM subscriptions WHERE id > ? ORDER BY id LIMIT ?")
                    .params(after, batch).query(UUID.class).list();
            if (ids.isEmpty()) {
                return drifted;
            }
            after = ids.get(ids.size() - 1);
            drifted += context.write(() -> check(ids, settled, upto));
        }
    }

    /**
     * Billed bytes of the events that arrived from each subscription's checkpoint until (before)
     * {@code upto}: all committed, so read once, without locks.
     */
    private Billed settledSinceCheckpoints(Timestamp upto) {
        Billed billed = new Billed();
        jdbc.sql("""
                        SELECT e.subscription_id, e.node_id,
                               sum(round(e.bytes_up * COALESCE(n.usage_coefficient, 1)))::bigint,
                               sum(round(e.bytes_down * COALESCE(n.usage_coefficient, 1)))::bigint
                        FROM traffic_events e
                        JOIN usage_checkpoints c ON c.subscription_id = e.subscription_id
                                                AND e.received_at >= c.received_through
                        LEFT JOIN nodes n ON n.id = e.node_id
                        WHERE e.received_at >= (SELECT COALESCE(min(received_through), '-infinity') FROM usage_checkpoints)
                          AND e.received_at < ?
                        GROUP BY e.subscription_id, e.node_id""")
                .param(upto)
                .query(rs -> {
                    billed.add(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            new Bytes(rs.getLong(3), rs.getLong(4)));
                });
        return billed;
    }

    /** Checks a batch under its row locks; returns how many subscriptions had drift corrected. */
    private int check(List<UUID> ids, Billed settled, Timestamp upto) {
        UUID[] batchIds = ids.toArray(UUID[]::new);
        Map<UUID, Bytes> counters = new HashMap<>();
        jdbc.sql("""
                        SELECT id, lifetime_bytes_up, lifetime_bytes_down FROM subscriptions
                        WHERE id = ANY(?) ORDER BY id FOR UPDATE""")
                .param(batchIds)
                .query(rs -> {
                    counters.put(rs.getObject(1, UUID.class), new Bytes(rs.getLong(2), rs.getLong(3)));
                });
        Billed recent = new Billed();
        jdbc.sql("""
                        SELECT e.subscription_id, e.node_id,
                               sum(round(e.bytes_up * COALESCE(n.usage_coefficient, 1)))::bigint,
                               sum(round(e.bytes_down * COALESCE(n.usage_coefficient, 1)))::bigint
                        FROM traffic_events e LEFT JOIN nodes n ON n.id = e.node_id
                        WHERE e.received_at >= ? AND e.subscription_id = ANY(?)
                        GROUP BY e.subscription_id, e.node_id""")
                .params(upto, batchIds)
                .query(rs -> {
                    recent.add(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            new Bytes(rs.getLong(3), rs.getLong(4)));
                });
        Map<UUID, Checkpoint> checkpoints = new HashMap<>();
        jdbc.sql("""
                        SELECT subscription_id, received_through, lifetime_bytes_up, lifetime_bytes_down, checked_at
                        FROM usage_checkpoints WHERE subscription_id = ANY(?)""")
                .param(batchIds)
                .query(rs -> {
                    checkpoints.put(rs.getObject(1, UUID.class), new Checkpoint(rs.getTimestamp(2),
                            new Bytes(rs.getLong(3), rs.getLong(4)), rs.getTimestamp(5)));
                });
        Timestamp oldestCheck = checkpoints.values().stream().map(Checkpoint::checkedAt).min(Timestamp::compareTo)
                .orElse(upto);
        Set<UUID> coefficientChanged = new HashSet<>(jdbc.sql(
                        "SELECT id FROM nodes WHERE coefficient_changed_at > ?").param(oldestCheck)
                .query(UUID.class).list());
        int drifted = 0;
        UUID[] cpIds = new UUID[counters.size()];
        Long[] cpUp = new Long[counters.size()];
        Long[] cpDown = new Long[counters.size()];
        int i = 0;
        for (Map.Entry<UUID, Bytes> entry : counters.entrySet()) {
            UUID id = entry.getKey();
            Bytes atUpto = entry.getValue().minus(recent.of(id));
            Checkpoint cp = checkpoints.get(id);
            Bytes baseline = atUpto;
            if (cp != null) {
                Bytes expected = cp.lifetime().plus(settled.of(id));
                Bytes drift = atUpto.minus(expected);
                boolean crossedChange = !java.util.Collections.disjoint(coefficientChanged, settled.nodesOf(id))
                        || !java.util.Collections.disjoint(coefficientChanged, recent.nodesOf(id));
                if (!drift.zero() && crossedChange) {
                    rebased.increment();
                } else if (!drift.zero()) {
                    correct(id, drift);
                    log.warn("subscription {}: usage counters were off by {} up / {} down bytes from its stored events;"
                            + " corrected", id, drift.up(), drift.down());
                    driftBytes.increment(Math.abs(drift.up()) + Math.abs(drift.down()));
                    corrected.increment();
                    drifted++;
                    baseline = expected;
                }
            }
            cpIds[i] = id;
            cpUp[i] = baseline.up();
            cpDown[i] = baseline.down();
            i++;
        }
        jdbc.sql("""
                        INSERT INTO usage_checkpoints (subscription_id, received_through, lifetime_bytes_up,
                                                       lifetime_bytes_down, checked_at)
                        SELECT c.id, ?, c.up, c.down, now() FROM unnest(?::uuid[], ?::bigint[], ?::bigint[]) AS c(id, up, down)
                        ON CONFLICT (subscription_id) DO UPDATE
                        SET received_through = EXCLUDED.received_through, lifetime_bytes_up = EXCLUDED.lifetime_bytes_up,
                            lifetime_bytes_down = EXCLUDED.lifetime_bytes_down, checked_at = EXCLUDED.checked_at""")
                .params(upto, cpIds, cpUp, cpDown).update();
        return drifted;
    }

    /** Takes the drift off both counters; the period counter never goes below zero. */
    private void correct(UUID id, Bytes drift) {
        jdbc.sql("""
                        UPDATE subscriptions SET lifetime_bytes_up = lifetime_bytes_up - ?,
                               lifetime_bytes_down = lifetime_bytes_down - ?,
                               used_bytes_up = GREATEST(used_bytes_up - ?, 0),
                               used_bytes_down = GREATEST(used_bytes_down - ?, 0)
                        WHERE id = ?""")
                .params(drift.up(), drift.down(), drift.up(), drift.down(), id).update();
    }
}

package dev.gatehouse.collector.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * How long a cut-off takes to be enforced: from the change that took credentials off a node
 * (suspension, quota, expiry, reassignment: the change log's {@code created_at}, the start of the
 * transaction that made it) to the agent's acknowledgement of a revision at or past it. One
 * observation per revision that removed anything. Both ends are read from the database's clock, so
 * the collector's own clock cannot skew it.
 */
final class EnforcementLatency {

    static final String METRIC = "gatehouse_collector_enforcement_seconds";

    private static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final JdbcClient jdbc;
    private final Timer timer;

    EnforcementLatency(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        // Fixed buckets up to an hour: a node that was away enforces its cut-offs when it is back.
        this.timer = Timer.builder(METRIC)
                .description("from a change that removed credentials from a node to the node's acknowledgement of it")
                .serviceLevelObjectives(BUCKETS).register(meters);
    }

    /**
     * The agent of {@code node} acknowledged {@code to}, having acknowledged {@code from} before:
     * records the revisions in between that removed credentials. Nothing is recorded while the
     * session has no earlier acknowledgement ({@code from} 0): what a node never served it need not cut off.
     */
    void acknowledged(UUID node, long from, long to) {
        if (from <= 0 || to <= from) {
            return;
        }
        jdbc.sql("""
                        SELECT extract(epoch FROM clock_timestamp() - min(created_at))
                        FROM node_state_changes
                        WHERE node_id = ? AND revision > ? AND revision <= ? AND action = 'remove'
                        GROUP BY revision""")
                .params(node, from, to)
                .query(Double.class).list()
                .forEach(seconds -> timer.record(Duration.ofNanos((long) (Math.max(0, seconds) * 1e9))));
    }
}

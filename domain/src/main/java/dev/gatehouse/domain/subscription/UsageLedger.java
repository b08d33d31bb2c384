package dev.gatehouse.domain.subscription;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Adds newly stored traffic to subscriptions' usage counters, in the caller's transaction (the one
 * that stored the traffic, so a resend that stores nothing adds nothing). Bytes are billed at the
 * node's usage coefficient, rounded per sample, into both the period and the lifetime counters;
 * the raw bytes stay in traffic_events and the rollups. Rows are locked in id order, so concurrent
 * batches never deadlock.
 */
public class UsageLedger {

    /** Raw bytes a node counted for a subscription. */
    public record Usage(UUID subscriptionId, UUID nodeId, long bytesUp, long bytesDown) {
    }

    private final JdbcClient jdbc;

    public UsageLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds the usage; returns the subscriptions whose counters moved, in id order. */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> add(Collection<Usage> usage) {
        List<Usage> moved = usage.stream().filter(u -> u.bytesUp() > 0 || u.bytesDown() > 0).toList();
        if (moved.isEmpty()) {
            return List.of();
        }
        UUID[] subs = moved.stream().map(Usage::subscriptionId).distinct().sorted().toArray(UUID[]::new);
        jdbc.sql("SELECT id FROM subscriptions WHERE id = ANY(?) ORDER BY id FOR UPDATE").param(subs)
                .query(UUID.class).list();
        return jdbc.sql("""
                        WITH d AS (SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::bigint[])
                                   AS d(subscription_id, node_id, up, down)),
                             billed AS (SELECT d.subscription_id,
                                               sum(round(d.up * COALESCE(n.usage_coefficient, 1)))::bigint AS up,
                                               sum(round(d.down * COALESCE(n.usage_coefficient, 1)))::bigint AS down
                                        FROM d LEFT JOIN nodes n ON n.id = d.node_id
                                        GROUP BY d.subscription_id)
                        UPDATE subscriptions s SET used_bytes_up = s.used_bytes_up + b.up,
                               used_bytes_down = s.used_bytes_down + b.down,
                               lifetime_bytes_up = s.lifetime_bytes_up + b.up,
                               lifetime_bytes_down = s.lifetime_bytes_down + b.down
                        FROM billed b WHERE s.id = b.subscription_id
                        RETURNING s.id""")
                .params(moved.stream().map(Usage::subscriptionId).toArray(UUID[]::new),
                        moved.stream().map(Usage::nodeId).toArray(UUID[]::new),
                        moved.stream().map(Usage::bytesUp).toArray(Long[]::new),
                        moved.stream().map(Usage::bytesDown).toArray(Long[]::new))
                .query(UUID.class).list().stream().sorted().toList();
    }
}

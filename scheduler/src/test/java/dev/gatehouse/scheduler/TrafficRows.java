package dev.gatehouse.scheduler;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Writes raw traffic events straight into traffic_events, as ingest stores them, for the jobs that read them. */
public final class TrafficRows {

    private static final AtomicLong SEQ = new AtomicLong();

    private TrafficRows() {
    }

    /** One event of {@code up}/{@code down} bytes ending at {@code end}; returns its counter_seq. */
    public static long event(JdbcClient jdbc, UUID tenant, UUID subscription, UUID user, UUID node, Instant end,
                             long up, long down) {
        long seq = SEQ.incrementAndGet();
        jdbc.sql("""
                        INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                                    subscription_id, event_start_ts, bytes_up, bytes_down)
                        VALUES (?, ?, 'xray', ?, ?, ?, ?, ?, ?, ?)""")
                .params(Timestamp.from(end), node, user, seq, tenant, subscription, Timestamp.from(end.minusSeconds(60)),
                        up, down)
                .update();
        return seq;
    }
}

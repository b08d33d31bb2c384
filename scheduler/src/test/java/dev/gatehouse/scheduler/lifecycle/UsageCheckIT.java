package dev.gatehouse.scheduler.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.traffic.TrafficIngest;
import dev.gatehouse.scheduler.SchedulerIT;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The usage check: counters against the billed bytes of stored events, corrected under the row lock. */
class UsageCheckIT extends SchedulerIT {

    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis());

    @Autowired
    DesiredState desired;
    @Autowired
    TrafficIngest ingest;
    @Autowired
    MeterRegistry meters;

    private UUID node;
    private UUID sub;
    private String credential;

    @BeforeEach
    void layout() {
        UUID tenant = fixtures().tenant();
        node = fixtures().node(tenant, dev.gatehouse.testkit.Fixtures.NODE_ENGINES, 1.5);
        sub = fixtures().subscription(tenant, fixtures().person(tenant), fixtures().plan(tenant, null), List.of(node));
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
        credential = jdbc.sql("SELECT id FROM engine_credentials WHERE subscription_id = ? AND engine = 'xray'")
                .param(sub).query(UUID.class).single().toString();
    }

    private void traffic(long up, long down) {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        TrafficIngest.Result result = ingest.ingest(node, List.of(new TrafficIngest.Sample(0, credential, Engine.XRAY,
                end.minusSeconds(10), end, SEQ.incrementAndGet(), up, down, null, null)));
        assertThat(result.accepted()).isEqualTo(1);
    }

    private long[] lifetime() {
        return jdbc.sql("SELECT lifetime_bytes_up, lifetime_bytes_down FROM subscriptions WHERE id = ?").param(sub)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    private double corrections() {
        return meters.counter("gatehouse_usage_drift_corrections").count();
    }

    @Test
    void countersThatMatchTheEventsAreLeftAndDriftIsCorrectedAndCounted() {
        traffic(101, 1001);
        run("usage-check");
        traffic(11, 3);
        double before = corrections();
        run("usage-check");
        assertThat(corrections()).isEqualTo(before);
        // Billed at 1.5, rounded per event (half away from zero): 152 + 17 up, 1502 + 5 down.
        assertThat(lifetime()).containsExactly(169, 1507);

        jdbc.sql("""
                        UPDATE subscriptions SET lifetime_bytes_down = lifetime_bytes_down + 5000,
                               used_bytes_down = used_bytes_down + 5000 WHERE id = ?""").param(sub).update();
        run("usage-check");

        assertThat(corrections()).isEqualTo(before + 1);
        assertThat(lifetime()).containsExactly(169, 1507);
        assertThat(jdbc.sql("SELECT used_bytes_down FROM subscriptions WHERE id = ?").param(sub).query(Long.class)
                .single()).isEqualTo(1507);
    }

    @Test
    void aCheckRunningWhileTrafficIsStoredNeverSeesDrift() throws Exception {
        run("usage-check");
        double before = corrections();
        AtomicBoolean going = new AtomicBoolean(true);
        AtomicLong stored = new AtomicLong();
        Thread writer = new Thread(() -> {
            while (going.get()) {
                traffic(7, 9);
                stored.incrementAndGet();
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 8; i++) {
                run("usage-check");
            }
        } finally {
            going.set(false);
            writer.join();
        }
        run("usage-check");

        assertThat(stored.get()).isPositive();
        assertThat(corrections()).isEqualTo(before);
        // 7 x 1.5 = 10.5 rounds to 11; 9 x 1.5 = 13.5 rounds to 14.
        assertThat(lifetime()).containsExactly(11 * stored.get(), 14 * stored.get());
    }
}

package dev.gatehouse.scheduler.gauge;

import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.scheduler.SchedulerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Figures for the dashboards that only PostgreSQL knows: subscriptions by state, live ones near their
 * quota, and each node's assigned subscriptions against its capacity. Refreshed in the background
 * every {@code gatehouse.scheduler.gauge-interval} by two reads, so a scrape never waits on the
 * database. Every scheduler instance reports the same figures: aggregate them with {@code max}.
 * Until the first refresh the subscription gauges read NaN (no data), never a false zero.
 */
@Component
public class DatabaseGauges implements SmartLifecycle {

    /** The share of its quota above which a live subscription counts as near it (as the 80 % notification). */
    static final double NEAR_QUOTA = 0.8;

    private static final Logger log = LoggerFactory.getLogger(DatabaseGauges.class);

    private record Counts(Map<SubscriptionState, Long> byState, long nearQuota) {
    }

    private record NodeLoad(UUID id, String name, long assigned, Integer capacity) {
        Tags tags() {
            return Tags.of("node", id.toString(), "node_name", name);
        }
    }

    private final JdbcClient jdbc;
    private final Duration interval;
    private final MultiGauge assigned;
    private final MultiGauge capacity;
    private volatile Counts counts;
    private volatile ScheduledExecutorService refresher;

    @Autowired
    public DatabaseGauges(JdbcClient jdbc, SchedulerProperties properties, MeterRegistry meters) {
        this(jdbc, properties.gaugeInterval(), meters);
    }

    DatabaseGauges(JdbcClient jdbc, Duration interval, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.interval = interval;
        for (SubscriptionState state : SubscriptionState.values()) {
            Gauge.builder("gatehouse_subscriptions", this, g -> g.subscriptions(state))
                    .tag("state", state.db())
                    .description("Subscriptions in each state")
                    .register(meters);
        }
        Gauge.builder("gatehouse_subscriptions_near_quota", this, DatabaseGauges::nearQuota)
                .description("Live (active, on hold) subscriptions that have used 80 % of their data limit or more")
                .register(meters);
        this.assigned = MultiGauge.builder("gatehouse_node_assigned_subscriptions")
                .description("Subscriptions assigned to each node (primary and redundant)").register(meters);
        this.capacity = MultiGauge.builder("gatehouse_node_capacity_subscriptions")
                .description("Each node's capacity in subscriptions; nodes without a limit have none")
                .register(meters);
    }

    private double subscriptions(SubscriptionState state) {
        Counts now = counts;
        return now == null ? Double.NaN : now.byState().getOrDefault(state, 0L);
    }

    private double nearQuota() {
        Counts now = counts;
        return now == null ? Double.NaN : now.nearQuota();
    }

    /** Reads the figures now. */
    public void refresh() {
        Map<SubscriptionState, Long> byState = new EnumMap<>(SubscriptionState.class);
        long[] near = {0};
        String[] live = Arrays.stream(SubscriptionState.values()).filter(SubscriptionState::live)
                .map(SubscriptionState::db).toArray(String[]::new);
        jdbc.sql("""
                        SELECT state, count(*),
                               count(*) FILTER (WHERE state = ANY(?) AND quota_bytes > 0
                                                  AND used_bytes_up + used_bytes_down >= quota_bytes * ?)
                        FROM subscriptions GROUP BY state""")
                .params(live, NEAR_QUOTA)
                .query(rs -> {
                    byState.put(SubscriptionState.fromDb(rs.getString(1)), rs.getLong(2));
                    near[0] += rs.getLong(3);
                });
        List<NodeLoad> nodes = jdbc.sql("SELECT id, name, assigned_count, capacity FROM nodes")
                .query((rs, n) -> new NodeLoad(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3),
                        rs.getObject(4, Integer.class)))
                .list();
        List<MultiGauge.Row<?>> assignedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> capacityRows = new ArrayList<>();
        for (NodeLoad node : nodes) {
            assignedRows.add(MultiGauge.Row.of(node.tags(), node.assigned()));
            if (node.capacity() != null) {
                capacityRows.add(MultiGauge.Row.of(node.tags(), node.capacity()));
            }
        }
        // Overwrite: a deleted or renamed node's series goes away.
        assigned.register(assignedRows, true);
        capacity.register(capacityRows, true);
        counts = new Counts(byState, near[0]);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (DataAccessException e) {
            log.warn("the dashboard gauges could not be refreshed; they keep their last figures: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("the dashboard gauges could not be refreshed", e);
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "database-gauges");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        refresher = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = refresher;
        refresher = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return refresher != null;
    }
}

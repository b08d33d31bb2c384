package dev.gatehouse.scheduler.gauge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The dashboard gauges read what a database of their own holds, and follow it as it changes. */
class DatabaseGaugesIT {

    private JdbcClient jdbc;
    private Fixtures fixtures;
    private MeterRegistry meters;

    @BeforeEach
    void database() {
        TestDatabase db = TestPostgres.instance().createMigratedDatabase();
        DriverManagerDataSource source = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
        jdbc = JdbcClient.create(source);
        fixtures = new Fixtures(jdbc, new TransactionTemplate(new DataSourceTransactionManager(source)));
        meters = new SimpleMeterRegistry();
    }

    private double subscriptions(String state) {
        return meters.get("gatehouse_subscriptions").tag("state", state).gauge().value();
    }

    private double nodeGauge(String name, UUID node) {
        return meters.get(name).tag("node", node.toString()).gauge().value();
    }

    private boolean hasNodeGauge(String name, UUID node) {
        return meters.find(name).tag("node", node.toString()).gauge() != null;
    }

    private UUID subscription(UUID tenant, UUID plan, UUID node, String state, long used) {
        UUID id = fixtures.subscription(tenant, fixtures.person(tenant), plan, node == null ? List.of() : List.of(node));
        jdbc.sql("UPDATE subscriptions SET state = ?, used_bytes_up = ?, used_bytes_down = ? WHERE id = ?")
                .params(state, used / 2, used - used / 2, id).update();
        return id;
    }

    @Test
    void countsSubscriptionsByStateThoseNearTheirQuotaAndEachNodesLoadAgainstItsCapacity() {
        DatabaseGauges gauges = new DatabaseGauges(jdbc, Duration.ofHours(1), meters);
        assertThat(subscriptions("active")).as("no figure before the first read").isNaN();
        assertThat(meters.get("gatehouse_subscriptions_near_quota").gauge().value()).isNaN();

        gauges.refresh();
        assertThat(subscriptions("active")).isZero();
        assertThat(meters.get("gatehouse_subscriptions_near_quota").gauge().value()).isZero();

        UUID tenant = fixtures.tenant();
        UUID limited = fixtures.node(tenant);
        UUID unlimited = fixtures.node(tenant);
        jdbc.sql("UPDATE nodes SET capacity = 10 WHERE id = ?").param(limited).update();
        UUID quota = fixtures.plan(tenant, 1000L);
        UUID unmetered = fixtures.plan(tenant, null);
        subscription(tenant, quota, limited, "active", 0);
        subscription(tenant, quota, limited, "active", 800);
        subscription(tenant, quota, unlimited, "on_hold", 999);
        subscription(tenant, quota, null, "exhausted", 1000);
        subscription(tenant, unmetered, null, "active", 5_000_000);
        subscription(tenant, quota, null, "suspended", 900);

        gauges.refresh();
        assertThat(subscriptions("active")).isEqualTo(3);
        assertThat(subscriptions("on_hold")).isEqualTo(1);
        assertThat(subscriptions("exhausted")).isEqualTo(1);
        assertThat(subscriptions("suspended")).isEqualTo(1);
        assertThat(subscriptions("expired")).isZero();
        assertThat(subscriptions("disabled")).isZero();
        assertThat(meters.get("gatehouse_subscriptions_near_quota").gauge().value())
                .as("live, metered and at 80 %% or more: not the exhausted, suspended or unmetered ones")
                .isEqualTo(2);
        assertThat(nodeGauge("gatehouse_node_assigned_subscriptions", limited)).isEqualTo(2);
        assertThat(nodeGauge("gatehouse_node_capacity_subscriptions", limited)).isEqualTo(10);
        assertThat(nodeGauge("gatehouse_node_assigned_subscriptions", unlimited)).isEqualTo(1);
        assertThat(hasNodeGauge("gatehouse_node_capacity_subscriptions", unlimited))
                .as("a node without a limit has no capacity series").isFalse();
        assertThat(meters.get("gatehouse_node_assigned_subscriptions").tag("node", limited.toString()).gauge()
                .getId().getTag("node_name")).startsWith("n");

        jdbc.sql("DELETE FROM nodes WHERE id = ?").param(unlimited).update();
        gauges.refresh();
        assertThat(hasNodeGauge("gatehouse_node_assigned_subscriptions", unlimited))
                .as("a deleted node's series goes away").isFalse();
        assertThat(nodeGauge("gatehouse_node_assigned_subscriptions", limited)).isEqualTo(2);
    }

    @Test
    void onceStartedItReadsInTheBackgroundAndStopsWithTheApp() throws Exception {
        UUID tenant = fixtures.tenant();
        subscription(tenant, fixtures.plan(tenant, null), null, "expired", 0);
        DatabaseGauges gauges = new DatabaseGauges(jdbc, Duration.ofMillis(100), meters);
        gauges.start();
        try {
            assertThat(gauges.isRunning()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Double.isNaN(subscriptions("expired")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(subscriptions("expired")).isEqualTo(1);
        } finally {
            gauges.stop();
        }
        assertThat(gauges.isRunning()).isFalse();
    }
}

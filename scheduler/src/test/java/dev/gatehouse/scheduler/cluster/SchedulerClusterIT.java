package dev.gatehouse.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.scheduler.TrafficRows;
import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two scheduler processes on one database: every job's effect happens exactly once, a scheduler
 * frozen (SIGSTOP) in the middle of a write loses its job to the other and cannot write late, and
 * Redis flushed or gone meanwhile changes nothing that matters.
 */
class SchedulerClusterIT {

    /** Jobs under test fire every second; the rest stay out of the way. */
    private static final Map<String, String> SETTINGS = new LinkedHashMap<>();

    static {
        for (String job : List.of("resets", "rollups", "lifecycle", "notifications", "webhook-delivery")) {
            SETTINGS.put("gatehouse.scheduler.intervals." + job, "1s");
        }
        SETTINGS.put("gatehouse.scheduler.disabled", "usage-check,full-sync,reconcile,purge,change-log-compaction,"
                + "ca-rotation,partitions,node-health");
        SETTINGS.put("spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval", "1000");
        SETTINGS.put("gatehouse.scheduler.webhooks.allow-private-addresses", "true");
        SETTINGS.put("spring.datasource.hikari.connection-init-sql",
                "SET idle_in_transaction_session_timeout = '3s'");
    }

    private final String dataKey = key();
    private final String namespace = "gh-cluster-" + UUID.randomUUID();
    private TestDatabase db;
    private JdbcClient jdbc;
    private Fixtures fixtures;
    private DriverManagerDataSource source;
    private HttpServer receiver;
    private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private Process redis;
    private String redisUrl;
    private final List<SchedulerProcess> schedulers = new ArrayList<>();

    private static String key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @BeforeEach
    void setUp() throws Exception {
        db = TestPostgres.instance().createMigratedDatabase();
        source = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
        jdbc = JdbcClient.create(source);
        fixtures = new Fixtures(jdbc, new TransactionTemplate(new DataSourceTransactionManager(source)));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            deliveries.computeIfAbsent(exchange.getRequestHeaders().getFirst("X-Gatehouse-Delivery"),
                    k -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        int redisPort = Ports.free();
        redis = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(redisPort),
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        redisUrl = "redis://127.0.0.1:" + redisPort;
        await("redis listens", () -> Ports.listening(redisPort), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (SchedulerProcess s : schedulers) {
            s.close();
        }
        receiver.stop(0);
        redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, within).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private SchedulerProcess scheduler() throws Exception {
        SchedulerProcess s = SchedulerProcess.start(db, redisUrl, namespace, dataKey, SETTINGS);
        schedulers.add(s);
        return s;
    }

    private long count(String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(Long.class).single();
    }

    @Test
    void twoSchedulersDoEveryJobsWorkExactlyOnceAndAFrozenOneCannotWriteLate() throws Exception {
        // Work for the jobs: usage near the limit (notifications to a webhook), periods due for reset,
        // traffic to roll up, subscriptions past their expiry.
        UUID tenant = fixtures.tenant();
        UUID node = fixtures.node(tenant);
        UUID plan = fixtures.plan(tenant, 1_000L);
        UUID hook = UUID.randomUUID();
        DataKey sealer = DataKey.of(dataKey);
        jdbc.sql("INSERT INTO webhooks (id, tenant_id, name, url, secret, events) VALUES (?, ?, 'h', ?, ?, ?)")
                .params(hook, tenant, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                        sealer.seal("secret".getBytes(StandardCharsets.UTF_8),
                                hook.toString().getBytes(StandardCharsets.UTF_8)),
                        new String[] {"usage_80", "expired"})
                .update();
        List<UUID> subs = new ArrayList<>();
        Map<UUID, Long> versions = new HashMap<>();
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        for (int i = 0; i < 30; i++) {
            UUID sub = fixtures.subscription(tenant, fixtures.person(tenant), plan, List.of(node));
            subs.add(sub);
            jdbc.sql("""
                            UPDATE subscriptions SET reset_strategy = 'day', last_reset_at = now() - interval '3 days',
                                   used_bytes_down = 100 WHERE id = ?""").param(sub).update();
            versions.put(sub, jdbc.sql("SELECT version FROM subscriptions WHERE id = ?").param(sub)
                    .query(Long.class).single());
            TrafficRows.event(jdbc, tenant, sub, UUID.randomUUID(), node, hour.plusSeconds(60 + i), 10, 100);
        }
        for (int i = 0; i < 20; i++) {
            UUID sub = fixtures.subscription(tenant, fixtures.person(tenant), plan, List.of(node));
            jdbc.sql("UPDATE subscriptions SET used_bytes_down = 850 WHERE id = ?").param(sub).update();
        }
        List<UUID> expiring = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            UUID sub = fixtures.subscription(tenant, fixtures.person(tenant), plan, List.of(node));
            jdbc.sql("UPDATE subscriptions SET expires_at = now() + interval '3 seconds' WHERE id = ?").param(sub)
                    .update();
            expiring.add(sub);
        }

        SchedulerProcess first = scheduler();
        SchedulerProcess second = scheduler();
        assertThat(count("SELECT count(*) FROM qrtz_scheduler_state")).isEqualTo(2);

        // Redis is flushed, then stopped, while the jobs run: nothing they must do depends on it.
        await("first runs", () -> count("SELECT count(*) FROM job_runs WHERE outcome = 'succeeded'") >= 5,
                Duration.ofSeconds(30));
        new ProcessBuilder("redis-cli", "-u", redisUrl, "FLUSHALL").start().waitFor(10, TimeUnit.SECONDS);
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);

        await("every reset, expiry, notification and delivery done", () ->
                count("SELECT count(*) FROM subscriptions WHERE id = ANY(?) AND used_bytes_down = 0",
                        (Object) subs.toArray(UUID[]::new)) == subs.size()
                        && count("SELECT count(*) FROM subscriptions WHERE id = ANY(?) AND state = 'expired'",
                        (Object) expiring.toArray(UUID[]::new)) == expiring.size()
                        && count("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") == 30,
                Duration.ofSeconds(60));
        Thread.sleep(3000); // more rounds of every job, with nothing left to do

        // Exactly once: each period reset once, each notification made and delivered once.
        for (UUID sub : subs) {
            assertThat(jdbc.sql("SELECT version FROM subscriptions WHERE id = ?").param(sub).query(Long.class).single())
                    .as("resets of %s", sub).isEqualTo(versions.get(sub) + 1);
        }
        assertThat(count("SELECT count(*) FROM notifications")).isEqualTo(30);
        assertThat(deliveries).hasSize(30);
        assertThat(deliveries.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(count("SELECT bytes_down FROM traffic_rollups_hourly WHERE hour_start_ts = ? AND node_id = ?"
                + " AND subscription_id = ?", Timestamp.from(hour), node, subs.get(0))).isEqualTo(100);
        // No two runs of one job ever overlapped, whichever instance ran them.
        List<Map<String, Object>> overlaps = jdbc.sql("""
                        SELECT a.job, a.instance, b.instance FROM job_runs a JOIN job_runs b
                          ON a.job = b.job AND a.id < b.id AND b.started_at < a.finished_at AND a.started_at < b.finished_at
                        """).query().listOfRows();
        assertThat(overlaps).isEmpty();
        assertThat(count("SELECT count(*) FROM job_runs WHERE outcome = 'failed'")).isZero();

        // A scheduler freezes in the middle of a reset: it holds the job's lease row and has read its rows.
        UUID frozenSub = subs.get(0);
        long version = jdbc.sql("SELECT version FROM subscriptions WHERE id = ?").param(frozenSub)
                .query(Long.class).single();
        SchedulerProcess frozen;
        long frozenRun;
        try (Connection blocker = source.getConnection()) {
            blocker.setAutoCommit(false);
            // A key-share lock lets the row be made due but holds the reset's FOR UPDATE.
            try (PreparedStatement s = blocker.prepareStatement(
                    "SELECT 1 FROM subscriptions WHERE id = ? FOR KEY SHARE")) {
                s.setObject(1, frozenSub);
                s.executeQuery();
            }
            jdbc.sql("UPDATE subscriptions SET next_reset_at = now() - interval '1 minute' WHERE id = ?")
                    .param(frozenSub).update();
            await("a reset run waits for the row", () -> count("""
                    SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
                      AND query LIKE '%FROM subscriptions WHERE id = ANY%FOR UPDATE%'""") == 1, Duration.ofSeconds(30));
            Map<String, Object> running = jdbc.sql("""
                            SELECT id, instance FROM job_runs WHERE job = 'resets' AND outcome = 'running'
                            ORDER BY id DESC LIMIT 1""").query().singleRow();
            frozenRun = ((Number) running.get("id")).longValue();
            String pid = running.get("instance").toString().replaceAll(".*:", "");
            frozen = first.pid() == Long.parseLong(pid) ? first : second;
            frozen.pause();
            blocker.rollback();
        }
        SchedulerProcess other = frozen == first ? second : first;
        // The database ends the frozen session's transaction; the other instance recovers the job,
        // takes a newer token and resets the row.
        await("the other instance resets the row", () -> jdbc.sql("SELECT version FROM subscriptions WHERE id = ?")
                .param(frozenSub).query(Long.class).single() == version + 1, Duration.ofSeconds(60));
        long takeover = count("SELECT count(*) FROM job_runs WHERE job = 'resets' AND outcome = 'succeeded' AND id > ?"
                + " AND instance LIKE ?", frozenRun, "%:" + other.pid());
        assertThat(takeover).isPositive();

        frozen.resume();
        await("the frozen run ends refused", () -> !"running".equals(jdbc.sql(
                "SELECT outcome FROM job_runs WHERE id = ?").param(frozenRun).query(String.class).single()),
                Duration.ofSeconds(30));
        assertThat(jdbc.sql("SELECT outcome FROM job_runs WHERE id = ?").param(frozenRun).query(String.class).single())
                .isIn("failed", "fenced");
        Thread.sleep(2000);
        assertThat(jdbc.sql("SELECT version FROM subscriptions WHERE id = ?").param(frozenSub).query(Long.class)
                .single()).as("reset once, never by the late writer").isEqualTo(version + 1);
    }
}

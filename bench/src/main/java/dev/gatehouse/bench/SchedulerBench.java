package dev.gatehouse.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.scheduler.lifecycle.LifecycleTask;
import dev.gatehouse.scheduler.rollup.RollupTask;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The scheduler's two jobs with speed goals, called directly from its plain classes on the real
 * schema: {@code RollupTask.rollUp} of one full hour of raw events ({@code --subscriptions}
 * subscriptions (100k), one sample a minute each), first and again, and the lifecycle sweep's read
 * ({@code LifecycleTask.due}, paged by id as the job pages it) over all subscriptions with few due;
 * beside them the reset job's read, and, clearly named, the same calls under other settings and
 * parts of the rollup's work alone, to show where its time goes. Figures are medians with min and
 * max over {@code --reps} (5) repetitions. Tenants, people, plans, nodes, subscriptions and events
 * are laid out in SQL.
 */
final class SchedulerBench {

    /** Rolled-up hours already in the rollups before the measured one, so its indexes are not empty. */
    private static final int HOURS_ROLLED_UP_BEFORE = 24;
    private static final int SWEEP_PASSES_PER_REP = 10;
    private static final int WARM_UP_PASSES = 3;

    /** The reset job's read, as ResetTask.run sends it (the statement is inline there). */
    private static final String RESET_DUE = "SELECT id FROM subscriptions WHERE next_reset_at <= ? ORDER BY id LIMIT ?";
    private static final int RESET_BATCH = 500;

    /** For the breakdown only: a copy of the SELECT in RollupTask.rollUp, without its INSERT. */
    private static final String ROLLUP_SELECT = """
            SELECT ?, subscription_id, node_id, engine, user_id, tenant_id, sum(bytes_up), sum(bytes_down),
                   count(*), now()
            FROM traffic_events
            WHERE event_end_ts >= ? AND event_end_ts < ?
            GROUP BY subscription_id, node_id, engine, user_id, tenant_id""";
    /** For the breakdown only: the hour's events read and summed, without grouping. */
    private static final String HOUR_SCAN = """
            SELECT count(*), sum(bytes_up), sum(bytes_down) FROM traffic_events
            WHERE event_end_ts >= ? AND event_end_ts < ?""";

    /**
     * How PostgreSQL plans the rollup: with the hour's figures (a custom plan, what a connection's
     * first executions get), or once for any hour (the generic plan, which pgjdbc's server-side
     * statement gets from about its tenth execution on one connection, when its estimate is cheaper).
     */
    private static final String CUSTOM = "SET LOCAL plan_cache_mode = force_custom_plan";
    private static final String GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan";

    private final int subscriptions;
    private final int reps;

    SchedulerBench(Options options) {
        this.subscriptions = options.integer("subscriptions", 100_000);
        this.reps = options.integer("reps", 5);
    }

    /** min, median and max of a figure's repetitions. */
    private record Spread(List<Double> values) {
        static Spread of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Spread(sorted);
        }

        double median() {
            int n = values.size();
            return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
        }

        String seconds() {
            return String.format("%.2f s (%.2f to %.2f s)", median(), values.get(0), values.get(values.size() - 1));
        }

        String millis() {
            return String.format("%.1f ms (%.1f to %.1f ms)", median() * 1e3, values.get(0) * 1e3,
                    values.get(values.size() - 1) * 1e3);
        }
    }

    /** What one sweep pass read: the ids found and the pages it took. */
    private record Pass(int found, int pages) {
    }

    /** Every rep's first rollup and re-run under one plan: their times and the rows each wrote. */
    private record Rollups(List<Double> first, List<Double> rerun, List<Integer> written, List<Integer> rewritten) {
        Rollups() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    void run() throws Exception {
        try (BenchDatabase db = BenchDatabase.start(); HikariDataSource pool = db.pool(2);
             Connection admin = db.connect()) {
            Instant now = instant(admin, "SELECT date_trunc('second', now())");
            Instant hour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
            long events = load(admin, now, hour);
            long groups = single(admin, "SELECT count(*) + count(*) FILTER (WHERE k % 10 = 0) FROM bench_senders");
            System.out.printf("bench: %s; hour %s: %,d events (%s), %,d rollup rows%n", settings(admin), hour, events,
                    single(admin, "SELECT pg_size_pretty(pg_total_relation_size('" + eventPartition(admin, hour)
                            + "'))", String.class), groups);

            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(pool));
            JdbcClient jdbc = JdbcClient.create(pool);
            RollupTask rollup = new RollupTask(jdbc);
            // due() reads through the JdbcClient alone; the settling collaborators are not called.
            LifecycleTask lifecycle = new LifecycleTask(jdbc, null, null, null);
            Timestamp start = Timestamp.from(hour);
            Timestamp end = Timestamp.from(hour.plus(Duration.ofHours(1)));

            Rollups custom = new Rollups();
            Rollups generic = new Rollups();
            for (int rep = 1; rep <= reps; rep++) {
                rollUp("custom plan", rep, admin, tx, jdbc, List.of(CUSTOM), () -> rollup.rollUp(hour), hour, custom);
                rollUp("generic plan", rep, admin, tx, jdbc, List.of(GENERIC), () -> rollup.rollUp(hour), hour, generic);
            }
            Rollups bigger = new Rollups();
            List<Double> aggregateSerial = new ArrayList<>();
            List<Double> aggregateParallel = new ArrayList<>();
            List<Double> scan = new ArrayList<>();
            for (int rep = 1; rep <= reps; rep++) {
                rollUp("custom plan, work_mem 64MB", rep, admin, tx, jdbc,
                        List.of(CUSTOM, "SET LOCAL work_mem = '64MB'"), () -> rollup.rollUp(hour), hour, bigger);
                aggregateSerial.add(timed(tx, jdbc, List.of(CUSTOM, "SET LOCAL work_mem = '64MB'",
                        "SET LOCAL max_parallel_workers_per_gather = 0"), () -> rows(jdbc, ROLLUP_SELECT, start, start,
                        end), groups));
                aggregateParallel.add(timed(tx, jdbc, List.of(CUSTOM, "SET LOCAL work_mem = '64MB'",
                        "SET LOCAL max_parallel_workers_per_gather = 2", "SET LOCAL enable_sort = off"),
                        () -> rows(jdbc, ROLLUP_SELECT, start, start, end), groups));
                scan.add(timed(tx, jdbc, List.of(CUSTOM, "SET LOCAL max_parallel_workers_per_gather = 0"),
                        () -> rows(jdbc, HOUR_SCAN, start, end), 1));
                System.out.printf("bench: breakdown rep %d: aggregate alone %.2f s serial, %.2f s parallel;"
                        + " scan alone %.2f s%n", rep, aggregateSerial.get(rep - 1), aggregateParallel.get(rep - 1),
                        scan.get(rep - 1));
            }

            for (Rollups run : List.of(custom, generic, bigger)) {
                if (run.written().stream().anyMatch(w -> w != groups)) {
                    throw new IllegalStateException("a first rollup wrote " + run.written() + " rows, not " + groups);
                }
            }

            int few = Math.min(100, subscriptions / 20);
            int many = Math.max(few, subscriptions / 20);
            Spread sweep0 = sweep("lifecycle, 0 due", tx, jdbc, List.of(), () -> lifecycleSweep(lifecycle, now), 0);
            // A cached generic plan ignores planner settings: custom plans, so that the settings apply.
            List<String> sequential = List.of(CUSTOM, "SET LOCAL enable_indexscan = off",
                    "SET LOCAL enable_bitmapscan = off");
            Spread sweepSeq = sweep("lifecycle, 0 due, index scans off", tx, jdbc, sequential,
                    () -> lifecycleSweep(lifecycle, now), 0);
            List<String> serial = new ArrayList<>(sequential);
            serial.add("SET LOCAL max_parallel_workers_per_gather = 0");
            Spread sweepSeqSerial = sweep("lifecycle, 0 due, index scans off, no parallel workers", tx, jdbc, serial,
                    () -> lifecycleSweep(lifecycle, now), 0);
            String duePlan = explained(pool, tx, List.of(), client -> lifecycleSweep(
                    new LifecycleTask(client, null, null, null), now));
            makeDue(admin, few);
            Spread sweepFew = sweep("lifecycle, " + few + " due", tx, jdbc, List.of(),
                    () -> lifecycleSweep(lifecycle, now), few);
            makeDue(admin, many - few);
            Spread sweepMany = sweep("lifecycle, " + many + " due", tx, jdbc, List.of(),
                    () -> lifecycleSweep(lifecycle, now), many);
            Spread reset0 = sweep("resets, 0 due", tx, jdbc, List.of(), () -> resetSweep(jdbc, now), 0);
            makeResetDue(admin, now, few);
            Spread resetFew = sweep("resets, " + few + " due", tx, jdbc, List.of(), () -> resetSweep(jdbc, now), few);

            clearHour(admin, hour);
            String customPlan = explained(pool, tx, List.of(CUSTOM),
                    client -> new Pass(new RollupTask(client).rollUp(hour), 1));
            String genericPlan = explained(pool, tx, List.of(GENERIC),
                    client -> new Pass(new RollupTask(client).rollUp(hour), 1));

            Spread customFirst = Spread.of(custom.first());
            Spread customWarm = Spread.of(reps > 1 ? custom.first().subList(1, reps) : custom.first());
            int pagesMany = many / LifecycleTask.BATCH + 1;
            System.out.println();
            System.out.println("| figure | goal | measured |");
            System.out.println("|---|---|---|");
            System.out.printf("| raw events in the hour / rollup rows they make | | %,d / %,d |%n", events, groups);
            System.out.printf("| first rollup of the hour, custom plan: rep 1 (the first after the load) | ≤ 3 s | %.2f s |%n",
                    custom.first().get(0));
            System.out.printf("| first rollup of the hour, custom plan: reps 2 to %d | ≤ 3 s | %s |%n", reps,
                    customWarm.seconds());
            System.out.printf("| first rollup of the hour, generic plan: all %d reps | ≤ 3 s | %s |%n", reps,
                    Spread.of(generic.first()).seconds());
            System.out.printf("| first rollup, custom plan: raw rows read/s, rollup rows written/s (median, all reps) | | %,.0f / %,.0f |%n",
                    events / customFirst.median(), groups / customFirst.median());
            System.out.printf("| re-run of the same hour: rows written, every rep (custom / generic plan) | 0 | %s / %s |%n",
                    custom.rewritten(), generic.rewritten());
            System.out.printf("| re-run of the same hour, custom plan | | %s |%n", Spread.of(custom.rerun()).seconds());
            System.out.printf("| re-run of the same hour, generic plan | | %s |%n", Spread.of(generic.rerun()).seconds());
            System.out.printf("| alternative (settings only): first rollup, custom plan, work_mem 64MB for its transaction | | %s |%n",
                    Spread.of(bigger.first()).seconds());
            System.out.printf("| breakdown: the rollup's SELECT ... GROUP BY alone (a copy), work_mem 64MB: serial / 2 parallel workers with hash aggregation (sorts off) | | %s / %s |%n",
                    Spread.of(aggregateSerial).seconds(), Spread.of(aggregateParallel).seconds());
            System.out.printf("| breakdown: the hour's events read and summed alone, serial | | %s |%n",
                    Spread.of(scan).seconds());
            System.out.printf("| lifecycle sweep pass over %,d subscriptions, 0 due (1 page) | ≤ 50 ms | %s |%n",
                    subscriptions, sweep0.millis());
            System.out.printf("| lifecycle sweep pass, %d due (1 page) | ≤ 50 ms | %s |%n", few, sweepFew.millis());
            System.out.printf("| lifecycle sweep pass, %,d due (%d pages of %d) | | %s |%n", many, pagesMany,
                    LifecycleTask.BATCH, sweepMany.millis());
            System.out.printf("| lifecycle sweep, subscriptions checked/s (0 due, median) | | %,.0f |%n",
                    subscriptions / sweep0.median());
            System.out.printf("| alternative (settings only): lifecycle sweep pass, 0 due, custom plan and index scans off"
                    + " for its transaction (a sequential scan): 2 parallel workers / none | | %s / %s |%n",
                    sweepSeq.millis(), sweepSeqSerial.millis());
            System.out.printf("| reset read pass, 0 due | | %s |%n", reset0.millis());
            System.out.printf("| reset read pass, %d due | | %s |%n", few, resetFew.millis());
            System.out.printf("%nEvery rollup and pass is one transaction. Sweep figures: %d passes each after %d of"
                    + " warm-up.%n", reps * SWEEP_PASSES_PER_REP, WARM_UP_PASSES);
            System.out.println();
            System.out.println("Plan of the lifecycle sweep's first page with 0 due (auto_explain, after the timed passes):");
            System.out.println(duePlan);
            System.out.println("Plan of a first rollup of the hour, custom plan (auto_explain, no timing; rolled back):");
            System.out.println(customPlan);
            System.out.println("Plan of a first rollup of the hour, generic plan (auto_explain, no timing; rolled back):");
            System.out.println(genericPlan);
        }
    }

    /** One rep under {@code settings}: the hour cleared, its first rollup, then the same again. */
    private static void rollUp(String name, int rep, Connection admin, TransactionTemplate tx, JdbcClient jdbc,
                               List<String> settings, Supplier<Integer> call, Instant hour, Rollups into)
            throws SQLException {
        clearHour(admin, hour);
        long started = System.nanoTime();
        int written = inTransaction(tx, jdbc, settings, call);
        into.first().add((System.nanoTime() - started) / 1e9);
        into.written().add(written);
        started = System.nanoTime();
        into.rewritten().add(inTransaction(tx, jdbc, settings, call));
        into.rerun().add((System.nanoTime() - started) / 1e9);
        System.out.printf("bench: rollup rep %d, %s: first %.2f s (%,d rows), re-run %.2f s (%,d rows)%n", rep, name,
                into.first().get(rep - 1), written, into.rerun().get(rep - 1), into.rewritten().get(rep - 1));
    }

    /** Runs {@code call} in one transaction after its {@code SET LOCAL} settings. */
    private static <T> T inTransaction(TransactionTemplate tx, JdbcClient jdbc, List<String> settings, Supplier<T> call) {
        return tx.execute(s -> {
            settings.forEach(setting -> jdbc.sql(setting).update());
            return call.get();
        });
    }

    /** Seconds {@code call} took in one transaction, checked to return {@code expected} rows. */
    private static double timed(TransactionTemplate tx, JdbcClient jdbc, List<String> settings, Supplier<Integer> call,
                                long expected) {
        long started = System.nanoTime();
        int rows = inTransaction(tx, jdbc, settings, call);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (rows != expected) {
            throw new IllegalStateException("expected " + expected + " rows, got " + rows);
        }
        return seconds;
    }

    private static int rows(JdbcClient jdbc, String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(rs -> {
            int n = 0;
            while (rs.next()) {
                n++;
            }
            return n;
        });
    }

    /**
     * Tenants in five time zones, each with a monthly, a daily and an unlimited plan and two nodes;
     * one person and one subscription per {@code k}: 60 % on the monthly plan, 25 % daily, 8 %
     * unlimited, all active below quota and before expiry; 2 % exhausted, 2 % expired, and one in a
     * hundred each on hold, suspended and disabled; none due. Then one sample a minute from every
     * subscription over the hour (every tenth moves to its tenant's other node at the half hour), and
     * the rollups of the hours before. Loaded without waiting for each commit's flush; measured with.
     */
    private long load(Connection c, Instant now, Instant hour) throws SQLException {
        long started = System.nanoTime();
        String t0 = "timestamptz '" + now + "'";
        String h0 = "timestamptz '" + hour + "'";
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
            s.execute("""
                    INSERT INTO tenants (name, slug, time_zone)
                    SELECT 'Bench ' || g, 'bench-' || g,
                           (ARRAY['UTC', 'Europe/Berlin', 'Asia/Tehran', 'America/Sao_Paulo', 'Asia/Tokyo'])[g]
                    FROM generate_series(1, 5) g""");
            s.execute("""
                    INSERT INTO plans (tenant_id, name, quota_bytes, duration_days, engines, reset_strategy)
                    SELECT t.id, p.name, p.quota, p.days, '{xray,wireguard}', p.reset
                    FROM tenants t CROSS JOIN (VALUES ('month-100g', 107374182400, 30, 'month'),
                                                      ('day-5g', 5368709120, 30, 'day'),
                                                      ('unlimited', NULL, NULL, 'no_reset')) p(name, quota, days, reset)""");
            s.execute("""
                    INSERT INTO nodes (tenant_id, name, address, status, engines)
                    SELECT t.id, 'node-' || g, t.slug || '-' || g || '.example.net', 'online',
                           '{"xray": {"inbounds": [{"tag": "v", "protocol": "vless", "port": 443}]}}'
                    FROM tenants t CROSS JOIN generate_series(0, 1) g""");
            s.execute("INSERT INTO users (tenant_id, username) SELECT t.id, 'p' || g FROM generate_series(1, "
                    + subscriptions + ") g JOIN tenants t ON t.slug = 'bench-' || (1 + g % 5)");
            s.execute("""
                    WITH u AS (
                        SELECT id, tenant_id, substring(username FROM 2)::bigint AS k,
                               substring(username FROM 2)::int % 100 AS c
                        FROM users WHERE username LIKE 'p%'
                    ), x AS (
                        SELECT u.*,
                               CASE WHEN c < 60 THEN 'month-100g' WHEN c < 85 THEN 'day-5g'
                                    WHEN c < 93 THEN 'unlimited' ELSE 'month-100g' END AS plan,
                               CASE WHEN c IN (93, 94) THEN 'exhausted' WHEN c IN (95, 96) THEN 'expired'
                                    WHEN c = 97 THEN 'on_hold' WHEN c = 98 THEN 'suspended'
                                    WHEN c = 99 THEN 'disabled' ELSE 'active' END AS state,
                               CASE WHEN k % 4 = 0 THEN '{wireguard}' ELSE '{xray}' END::text[] AS engines
                        FROM u
                    ), y AS (
                        SELECT x.*, p.id AS plan_id, p.quota_bytes, p.reset_strategy,
                               CASE x.state WHEN 'on_hold' THEN NULL
                                            WHEN 'expired' THEN :t0 - interval '40 days'
                                            WHEN 'active' THEN :t0 - make_interval(days => (x.k % 29)::int)
                                                               - interval '1 hour'
                                            ELSE :t0 - interval '10 days' END AS starts,
                               CASE WHEN x.state = 'exhausted' THEN p.quota_bytes
                                    WHEN p.quota_bytes IS NULL THEN (x.k * 7919 % 500) << 30
                                    ELSE p.quota_bytes / 100 * (x.k * 37 % 90) END AS used
                        FROM x JOIN plans p ON p.tenant_id = x.tenant_id AND p.name = x.plan
                    )
                    INSERT INTO subscriptions (tenant_id, user_id, plan_id, state, engines, quota_bytes,
                                               reset_strategy, used_bytes_up, used_bytes_down, lifetime_bytes_up,
                                               lifetime_bytes_down, starts_at, expires_at, on_hold_deadline,
                                               last_reset_at, sub_token_hash)
                    SELECT tenant_id, id, plan_id, state, engines, quota_bytes, reset_strategy,
                           used / 5, used - used / 5, used / 5 * 3, (used - used / 5) * 3, starts,
                           CASE WHEN state = 'expired' THEN :t0 - interval '10 days'
                                WHEN plan = 'unlimited' OR starts IS NULL THEN NULL
                                ELSE starts + interval '30 days' END,
                           CASE WHEN state = 'on_hold' THEN :t0 + interval '3 days' END,
                           CASE WHEN reset_strategy <> 'no_reset' AND starts IS NOT NULL THEN :t0 END,
                           sha256(convert_to(id::text, 'UTF8'))
                    FROM y""".replace(":t0", t0));
            s.execute("ANALYZE");
            s.execute("""
                    CREATE TEMP TABLE bench_senders AS
                    SELECT s.id, s.user_id, s.tenant_id, u.k,
                           CASE WHEN s.engines = '{wireguard}' THEN 'wireguard' ELSE 'xray' END AS engine,
                           n1.id AS node, n2.id AS other_node
                    FROM subscriptions s
                    JOIN (SELECT id, substring(username FROM 2)::bigint AS k FROM users WHERE username LIKE 'p%') u
                      ON u.id = s.user_id
                    JOIN nodes n1 ON n1.tenant_id = s.tenant_id AND n1.name = 'node-' || (u.k % 2)
                    JOIN nodes n2 ON n2.tenant_id = s.tenant_id AND n2.name = 'node-' || ((u.k + 1) % 2)""");
            s.execute("ANALYZE bench_senders");
            System.out.printf("bench: %,d subscriptions laid out (%.0f s); one hour of events from %s%n",
                    subscriptions, (System.nanoTime() - started) / 1e9, hour);
            for (int m = 0; m < 60; m++) {
                s.execute("""
                        INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                                    subscription_id, event_start_ts, bytes_up, bytes_down)
                        SELECT e.end_ts, CASE WHEN s.k % 10 = 0 AND :m >= 30 THEN s.other_node ELSE s.node END,
                               s.engine, s.user_id, 1000 + :m, s.tenant_id, s.id, e.end_ts - interval '1 minute',
                               (s.k * 7919 + :m * 104729) % 1000000, (s.k * 104729 + :m * 7919) % 8000000
                        FROM bench_senders s,
                             LATERAL (SELECT :h0 + make_interval(mins => :m, secs => (s.k % 60)::int) AS end_ts) e"""
                        .replace(":m", String.valueOf(m)).replace(":h0", h0));
                if (m % 10 == 9) {
                    System.out.printf("bench: %d minutes of events (%.0f s)%n", m + 1,
                            (System.nanoTime() - started) / 1e9);
                }
            }
            for (int h = HOURS_ROLLED_UP_BEFORE; h >= 1; h--) {
                s.execute("""
                        INSERT INTO traffic_rollups_hourly (hour_start_ts, subscription_id, node_id, engine, user_id,
                                                            tenant_id, bytes_up, bytes_down, events, computed_at)
                        SELECT :h0 - make_interval(hours => :h), id, node, engine, user_id, tenant_id,
                               (k * 7919 + :h) % 60000000, (k * 104729 + :h) % 480000000, 60,
                               :h0 - make_interval(hours => :h - 1)
                        FROM bench_senders""".replace(":h0", h0).replace(":h", String.valueOf(h)));
            }
            System.out.printf("bench: %d hours of rollups before it (%.0f s); VACUUM ANALYZE%n",
                    HOURS_ROLLED_UP_BEFORE, (System.nanoTime() - started) / 1e9);
            s.execute("VACUUM ANALYZE");
            s.execute("CHECKPOINT");
            s.execute("RESET synchronous_commit");
        }
        System.out.printf("bench: loaded in %.0f s%n", (System.nanoTime() - started) / 1e9);
        return single(c, "SELECT count(*) FROM traffic_events WHERE event_end_ts >= '" + hour
                + "' AND event_end_ts < '" + hour.plus(Duration.ofHours(1)) + "'");
    }

    /** The hour's rollups deleted and their space made reusable, then a checkpoint: every rep starts alike. */
    private static void clearHour(Connection c, Instant hour) throws SQLException {
        String partition = single(c, "SELECT 'traffic_rollups_hourly_p' || to_char(timestamptz '" + hour
                + "' AT TIME ZONE 'UTC', 'YYYYMM')", String.class);
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM traffic_rollups_hourly WHERE hour_start_ts = '" + hour + "'");
            s.execute("VACUUM " + partition);
            s.execute("CHECKPOINT");
        }
    }

    /** One sweep as LifecycleTask.run pages it: by id, a batch at a time, until fewer come back. */
    private static Pass lifecycleSweep(LifecycleTask task, Instant now) {
        UUID after = new UUID(0, 0);
        int found = 0;
        int pages = 0;
        while (true) {
            List<UUID> due = task.due(after, now, LifecycleTask.BATCH);
            pages++;
            found += due.size();
            if (due.size() < LifecycleTask.BATCH) {
                return new Pass(found, pages);
            }
            after = due.get(due.size() - 1);
        }
    }

    /**
     * The reset job's reads: it reads the first batch due again after resetting it (a reset moves it
     * out); here nothing is reset, so the pass reads one batch, which is the read when few are due.
     */
    private static Pass resetSweep(JdbcClient jdbc, Instant now) {
        List<UUID> due = jdbc.sql(RESET_DUE).params(Timestamp.from(now), RESET_BATCH).query(UUID.class).list();
        return new Pass(due.size(), 1);
    }

    private Spread sweep(String name, TransactionTemplate tx, JdbcClient jdbc, List<String> settings,
                         Supplier<Pass> pass, int expected) {
        for (int i = 0; i < WARM_UP_PASSES; i++) {
            inTransaction(tx, jdbc, settings, pass);
        }
        List<Double> seconds = new ArrayList<>();
        int pages = 0;
        for (int i = 0; i < reps * SWEEP_PASSES_PER_REP; i++) {
            long started = System.nanoTime();
            Pass done = inTransaction(tx, jdbc, settings, pass);
            seconds.add((System.nanoTime() - started) / 1e9);
            if (done.found() != expected) {
                throw new IllegalStateException(name + ": found " + done.found() + ", expected " + expected);
            }
            pages = done.pages();
        }
        Spread spread = Spread.of(seconds);
        System.out.printf("bench: sweep pass (%s, %d pages): %s%n", name, pages, spread.millis());
        return spread;
    }

    /** {@code n} more active subscriptions at their quota, spread over the id order. */
    private static void makeDue(Connection c, int n) throws SQLException {
        if (n <= 0) {
            return;
        }
        String eligible = "state = 'active' AND quota_bytes IS NOT NULL AND used_bytes_up < quota_bytes";
        long step = Math.max(1, single(c, "SELECT count(*) FROM subscriptions WHERE " + eligible) / n);
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE subscriptions SET used_bytes_up = quota_bytes WHERE id IN (SELECT id FROM"
                    + " (SELECT id, row_number() OVER (ORDER BY id) AS r FROM subscriptions WHERE " + eligible
                    + ") x WHERE r % " + step + " = 0 LIMIT " + n + ")");
        }
    }

    /** {@code n} monthly subscriptions whose last reset was 40 days ago: their period has ended. */
    private static void makeResetDue(Connection c, Instant now, int n) throws SQLException {
        String eligible = "reset_strategy = 'month' AND last_reset_at IS NOT NULL";
        long step = Math.max(1, single(c, "SELECT count(*) FROM subscriptions WHERE " + eligible) / n);
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE subscriptions SET last_reset_at = timestamptz '" + now + "' - interval '40 days'"
                    + " WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM subscriptions"
                    + " WHERE " + eligible + ") x WHERE r % " + step + " = 0 LIMIT " + n + ")");
        }
    }

    /**
     * Runs {@code work} on a JdbcClient whose statements' notices are kept, with auto_explain reporting
     * each statement's plan as a notice, in a transaction that is rolled back; returns the first plan.
     */
    private static String explained(DataSource pool, TransactionTemplate tx, List<String> settings,
                                    Function<JdbcClient, Pass> work) {
        List<String> notices = new ArrayList<>();
        JdbcTemplate template = new JdbcTemplate(pool) {
            @Override
            protected void handleWarnings(Statement stmt) throws SQLException {
                for (SQLWarning w = stmt.getWarnings(); w != null; w = w.getNextWarning()) {
                    notices.add(w.getMessage());
                }
            }
        };
        JdbcClient client = JdbcClient.create(template);
        tx.execute(s -> {
            client.sql("LOAD 'auto_explain'").update();
            for (String setting : List.of("log_min_duration = 0", "log_analyze = on", "log_buffers = on",
                    "log_timing = off", "log_level = notice")) {
                client.sql("SET LOCAL auto_explain." + setting).update();
            }
            settings.forEach(setting -> client.sql(setting).update());
            work.apply(client);
            // A query's executor ends when its portal goes, here at the next statement: its plan comes then.
            client.sql("SELECT 1").query(Integer.class).single();
            s.setRollbackOnly();
            return null;
        });
        return notices.isEmpty() ? "(none)" : notices.get(0);
    }

    private static String settings(Connection c) throws SQLException {
        return single(c, "SELECT 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers '"
                + " || current_setting('shared_buffers') || ', work_mem ' || current_setting('work_mem')"
                + " || ', max_parallel_workers_per_gather ' || current_setting('max_parallel_workers_per_gather')"
                + " || ', fsync ' || current_setting('fsync') || ', synchronous_commit '"
                + " || current_setting('synchronous_commit')", String.class);
    }

    private static String eventPartition(Connection c, Instant hour) throws SQLException {
        return single(c, "SELECT 'traffic_events_p' || to_char(timestamptz '" + hour + "' AT TIME ZONE 'UTC',"
                + " 'YYYYMMDD')", String.class);
    }

    private static Instant instant(Connection c, String sql) throws SQLException {
        return single(c, sql, Timestamp.class).toInstant();
    }

    private static long single(Connection c, String sql) throws SQLException {
        return single(c, sql, Long.class);
    }

    private static <T> T single(Connection c, String sql, Class<T> type) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1, type);
        }
    }
}

package dev.gatehouse.scheduler.partition;

import dev.gatehouse.domain.DomainProperties;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps the traffic tables' partitions: daily traffic_events partitions some days ahead, monthly
 * rollup partitions some months ahead, and none past retention. A day (or month) that already has
 * rows in the default partition is made from those rows in one transaction: a new table, the rows
 * moved into it, then attached. Every DDL statement waits at most the lock timeout, since ingest
 * queues behind a waiting one; a partition that could not get its lock is retried next run. Works
 * from the current date, so it catches up after any time without a run.
 */
@Component
class PartitionTask implements ScheduledTask {

    private static final Logger log = LoggerFactory.getLogger(PartitionTask.class);

    /** One partitioned traffic table: its partitions' name pattern and period. */
    enum Table {
        EVENTS("traffic_events", "event_end_ts", "yyyyMMdd"),
        ROLLUPS("traffic_rollups_hourly", "hour_start_ts", "yyyyMM");

        final String name;
        final String column;
        final DateTimeFormatter suffix;

        Table(String name, String column, String suffix) {
            this.name = name;
            this.column = column;
            this.suffix = DateTimeFormatter.ofPattern(suffix);
        }

        String partition(LocalDate start) {
            return name + "_p" + suffix.format(start);
        }

        String defaultPartition() {
            return name + "_default";
        }

        LocalDate periodStart(LocalDate day) {
            return this == EVENTS ? day : day.withDayOfMonth(1);
        }

        LocalDate next(LocalDate start) {
            return this == EVENTS ? start.plusDays(1) : start.plusMonths(1);
        }

        /** The period start a partition's name stands for; null when the name is not one of ours. */
        LocalDate parse(String relname) {
            String prefix = name + "_p";
            if (!relname.startsWith(prefix)) {
                return null;
            }
            String digits = relname.substring(prefix.length());
            if (!digits.matches(this == EVENTS ? "\\d{8}" : "\\d{6}")) {
                return null;
            }
            return this == EVENTS ? LocalDate.parse(digits, suffix)
                    : LocalDate.parse(digits + "01", DateTimeFormatter.ofPattern("yyyyMMdd"));
        }
    }

    private final JdbcClient jdbc;
    private final SchedulerProperties.Partitions settings;
    private final Duration rawRetention;
    private final Map<Table, AtomicLong> defaultRows = new ConcurrentHashMap<>();

    PartitionTask(JdbcClient jdbc, SchedulerProperties properties, DomainProperties domain, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.settings = properties.partitions();
        this.rawRetention = domain.trafficRetention();
        for (Table table : Table.values()) {
            AtomicLong rows = new AtomicLong();
            defaultRows.put(table, rows);
            Gauge.builder("gatehouse_traffic_default_partition_rows", rows, AtomicLong::get)
                    .tag("table", table.name)
                    .description("Rows waiting in a traffic table's default partition for their own partition")
                    .register(meters);
        }
    }

    @Override
    public String name() {
        return "partitions";
    }

    @Override
    public String description() {
        return "Creates traffic_events days and rollup months ahead (moving rows out of the default partition"
                + " first), drops those past retention, with a short lock timeout";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(1);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<String> failures = new ArrayList<>();
        long rows = 0;
        rows += keep(context, Table.EVENTS, today, today.plusDays(settings.daysAhead()),
                LocalDate.ofInstant(now.minus(rawRetention), ZoneOffset.UTC), failures);
        rows += keep(context, Table.ROLLUPS, today.withDayOfMonth(1), today.withDayOfMonth(1).plusMonths(settings.monthsAhead()),
                LocalDate.ofInstant(now.minus(settings.rollupRetention()), ZoneOffset.UTC).withDayOfMonth(1), failures);
        for (Table table : Table.values()) {
            defaultRows.get(table).set(jdbc.sql("SELECT count(*) FROM " + table.defaultPartition())
                    .query(Long.class).single());
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("partitions left for the next run: " + String.join("; ", failures));
        }
        return rows;
    }

    /**
     * Makes every period from {@code first} to {@code last} and every period with rows waiting in the
     * default partition from {@code oldest} on, drops partitions that end at or before {@code oldest}
     * and default rows older than it. Returns the partitions made or dropped plus the rows moved.
     */
    private long keep(JobContext context, Table table, LocalDate first, LocalDate last, LocalDate oldest,
                      List<String> failures) {
        TreeSet<LocalDate> existing = partitions(table);
        TreeSet<LocalDate> wanted = new TreeSet<>();
        for (LocalDate d = first; !d.isAfter(last); d = table.next(d)) {
            wanted.add(d);
        }
        jdbc.sql("SELECT DISTINCT (" + table.column + " AT TIME ZONE 'UTC')::date FROM " + table.defaultPartition())
                .query(LocalDate.class).list().stream().map(table::periodStart)
                .filter(d -> table.next(d).isAfter(oldest))
                .forEach(wanted::add);
        long touched = 0;
        for (LocalDate start : wanted) {
            if (existing.contains(start)) {
                continue;
            }
            try {
                touched += 1 + context.write(() -> create(table, start));
            } catch (DataAccessException e) {
                failures.add("create " + table.partition(start) + ": " + rootMessage(e));
            }
        }
        for (LocalDate start : existing) {
            if (!table.next(start).isAfter(oldest)) {
                try {
                    context.write(() -> drop(table, start));
                    touched++;
                } catch (DataAccessException e) {
                    failures.add("drop " + table.partition(start) + ": " + rootMessage(e));
                }
            }
        }
        touched += context.write(() -> jdbc.sql("DELETE FROM " + table.defaultPartition() + " WHERE " + table.column
                + " < ?").param(utc(oldest)).update());
        return touched;
    }

    /** The periods that have their own partition now. */
    private TreeSet<LocalDate> partitions(Table table) {
        TreeSet<LocalDate> starts = new TreeSet<>();
        jdbc.sql("""
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = CAST(? AS regclass)""")
                .param(table.name).query(String.class).list().stream().map(table::parse)
                .filter(java.util.Objects::nonNull).forEach(starts::add);
        return starts;
    }

    /** Creates the period's partition from the rows waiting in the default one; returns the rows moved. */
    private int create(Table table, LocalDate start) {
        String part = table.partition(start);
        Timestamp from = utc(start);
        Timestamp to = utc(table.next(start));
        lockTimeout();
        jdbc.sql("CREATE TABLE " + part + " (LIKE " + table.name + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                .update();
        int moved = jdbc.sql("WITH moved AS (DELETE FROM " + table.defaultPartition() + " WHERE " + table.column
                        + " >= ? AND " + table.column + " < ? RETURNING *) INSERT INTO " + part + " SELECT * FROM moved")
                .params(from, to).update();
        jdbc.sql("ALTER TABLE " + table.name + " ATTACH PARTITION " + part + " FOR VALUES FROM ('"
                + from.toInstant() + "') TO ('" + to.toInstant() + "')").update();
        if (moved > 0) {
            log.warn("{}: moved {} rows out of {}", part, moved, table.defaultPartition());
        }
        return moved;
    }

    private int drop(Table table, LocalDate start) {
        lockTimeout();
        jdbc.sql("DROP TABLE " + table.partition(start)).update();
        log.info("dropped {} (past retention)", table.partition(start));
        return 1;
    }

    private void lockTimeout() {
        jdbc.sql("SELECT set_config('lock_timeout', ?, true)").param(settings.lockTimeout().toMillis() + "ms")
                .query(String.class).single();
    }

    private static Timestamp utc(LocalDate day) {
        return Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
    }
}

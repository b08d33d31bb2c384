package dev.gatehouse.scheduler.job;

import java.sql.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An arrival time before which every traffic event is committed: events with received_at strictly
 * before it will never appear later. An event's received_at is its inserting transaction's start
 * (the column's default), so an open transaction may still commit events as old as its start: the
 * bound is the start of the oldest transaction still open, or this statement's own start. A
 * transaction open for over ten minutes is not an ingest (those last milliseconds) and does not
 * hold the bound back. Needs to see other sessions' xact_start: the same database role as the
 * collector, or pg_read_all_stats.
 */
public final class Arrivals {

    private Arrivals() {
    }

    public static Timestamp committedBefore(JdbcClient jdbc) {
        return jdbc.sql("""
                        SELECT LEAST(now(),
                                     (SELECT min(xact_start) FROM pg_stat_activity
                                      WHERE datname = current_database() AND pid <> pg_backend_pid()
                                        AND xact_start > now() - interval '10 minutes'))""")
                .query(Timestamp.class).single();
    }
}

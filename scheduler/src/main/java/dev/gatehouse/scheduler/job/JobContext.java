package dev.gatehouse.scheduler.job;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a run of a job gets: its fencing token, the clock, and fenced transactions. A fenced
 * transaction share-locks the job's lease row and checks the token first, so a newer run's takeover
 * (which updates that row) waits for a write in progress, and a write after a takeover is refused.
 */
public final class JobContext {

    private final String job;
    private final long token;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    JobContext(String job, long token, JdbcClient jdbc, TransactionTemplate tx, Clock clock) {
        this.job = job;
        this.token = token;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    public String job() {
        return job;
    }

    public long token() {
        return token;
    }

    public Instant now() {
        return clock.instant();
    }

    /** Runs {@code work} in one transaction that commits only while this run still holds the job. */
    public <T> T write(Supplier<T> work) {
        return tx.execute(status -> {
            checkFence();
            return work.get();
        });
    }

    /** Throws {@link LeaseLostException} when another run has taken the job; call inside a transaction. */
    public void checkFence() {
        long current = jdbc.sql("SELECT token FROM job_leases WHERE job = ? FOR SHARE").param(job)
                .query(Long.class).optional().orElse(-1L);
        if (current != token) {
            throw new LeaseLostException(job, token, current);
        }
    }
}

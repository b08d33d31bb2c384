package dev.gatehouse.scheduler.job;

/** A run's fencing token is no longer the newest: another run has taken the job, so this one must not write. */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(String job, long token, long current) {
        super("job " + job + " was taken over (token " + token + ", now " + current + "); its write is refused");
    }
}

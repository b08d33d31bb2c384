package dev.gatehouse.scheduler.job;

import java.time.Duration;

/**
 * One periodic job of the scheduler. Quartz fires it on every instance's behalf at most once at a
 * time (clustered job store); {@link JobRunner} gives each run a fencing token, so a run that lost
 * the job cannot write late, and records how the run went.
 */
public interface ScheduledTask {

    /** Stable name: Quartz job key, fencing row, metric tag and what /jobs shows. Lower case, dashes. */
    String name();

    /** One line for operators: what the job does and what it guarantees. */
    String description();

    /** How often it runs unless {@code gatehouse.scheduler.intervals.<name>} says otherwise. */
    Duration defaultInterval();

    /** Does one run; every write goes through {@link JobContext#write}. Returns the rows it touched. */
    long run(JobContext context);
}

package dev.gatehouse.controlapi.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gatehouse.domain.model.JobRunOutcome;
import java.time.Duration;
import java.time.Instant;

/** Bodies of /jobs. */
final class JobDtos {

    private JobDtos() {
    }

    /**
     * One run of a job.
     *
     * @param instance    the scheduler instance that ran it
     * @param durationMs  null while it runs
     * @param rowsTouched rows the run wrote, as it reported them
     * @param error       why it failed (at most 2000 characters)
     */
    record JobRunResponse(long id, String instance, Instant startedAt, Instant finishedAt, Long durationMs,
                          Long rowsTouched, JobRunOutcome outcome, String error) {

        static JobRunResponse of(JobRepository.Run r) {
            return new JobRunResponse(r.id(), r.instance(), r.startedAt(), r.finishedAt(),
                    r.finishedAt() == null ? null : Duration.between(r.startedAt(), r.finishedAt()).toMillis(),
                    r.rowsTouched(), r.outcome(), r.error());
        }
    }

    /**
     * A job the scheduler runs.
     *
     * @param schedule   as the scheduler describes it (a cron expression or an interval)
     * @param nextFireAt when its trigger fires next; null when it has none
     * @param lastRun    its latest run; null before the first
     * @param runs24h    runs started in the last 24 hours
     * @param failures24h of those, the ones that failed
     */
    record JobResponse(String name, String description, String schedule, Instant nextFireAt, JobRunResponse lastRun,
                       @JsonProperty("runs_24h") long runs24h, @JsonProperty("failures_24h") long failures24h) {

        static JobResponse of(JobRepository.Job j) {
            return new JobResponse(j.name(), j.description(), j.schedule(), j.nextFireAt(),
                    j.lastRun() == null ? null : JobRunResponse.of(j.lastRun()), j.runs24h(), j.failures24h());
        }
    }
}

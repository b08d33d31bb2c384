package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a run of a scheduler job ended, or that it has not yet. */
public enum JobRunOutcome implements DbEnum {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    /** Another run took the job over (its fencing token is newer), so this one stopped writing. */
    FENCED("fenced");

    private final String db;

    JobRunOutcome(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static JobRunOutcome fromDb(String value) {
        return DbEnum.fromDb(JobRunOutcome.class, value);
    }
}

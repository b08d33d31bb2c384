package dev.gatehouse.controlapi.job;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.gatehouse.domain.model.DbEnum;

/** How a run of a scheduler job ended, or that it has not yet. */
public enum JobOutcome implements DbEnum {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    /** Another run took the job over (its fencing token is newer), so this one stopped writing. */
    FENCED("fenced");

    private final String db;

    JobOutcome(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static JobOutcome fromDb(String value) {
        return DbEnum.fromDb(JobOutcome.class, value);
    }
}

package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a subscription's nodes are chosen. */
public enum AssignmentStrategy implements DbEnum {
    MANUAL("manual"),
    ROUND_ROBIN("round_robin"),
    BY_TAG("by_tag"),
    BY_CAPACITY("by_capacity");

    private final String db;

    AssignmentStrategy(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static AssignmentStrategy fromDb(String value) {
        return DbEnum.fromDb(AssignmentStrategy.class, value);
    }
}

package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * When a subscription's period usage starts over. Periods follow the calendar of the tenant's time
 * zone: a day from local midnight, a week from Monday, a month from the 1st, a year from 1 January.
 * The database computes each subscription's next reset (gatehouse_next_reset, migration V15) and the
 * scheduler's reset job applies it. Lifetime usage is never reset.
 */
public enum ResetStrategy implements DbEnum {
    NO_RESET("no_reset"),
    DAY("day"),
    WEEK("week"),
    MONTH("month"),
    YEAR("year");

    private final String db;

    ResetStrategy(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static ResetStrategy fromDb(String value) {
        return DbEnum.fromDb(ResetStrategy.class, value);
    }
}

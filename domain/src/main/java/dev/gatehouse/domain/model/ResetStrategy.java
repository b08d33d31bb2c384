package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * When a subscription's period usage starts over. Periods are rolling and counted in UTC from the
 * last reset (or the start): a day, seven days, a calendar month, a calendar year. Lifetime usage is
 * never reset.
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

    /** The instant the period that began at {@code from} ends; null when usage never resets. */
    public Instant periodEnd(Instant from) {
        var t = from.atOffset(ZoneOffset.UTC);
        return switch (this) {
            case NO_RESET -> null;
            case DAY -> t.plusDays(1).toInstant();
            case WEEK -> t.plusWeeks(1).toInstant();
            case MONTH -> t.plusMonths(1).toInstant();
            case YEAR -> t.plusYears(1).toInstant();
        };
    }

    public static ResetStrategy fromDb(String value) {
        return DbEnum.fromDb(ResetStrategy.class, value);
    }
}

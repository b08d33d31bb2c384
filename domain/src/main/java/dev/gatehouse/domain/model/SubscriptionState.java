package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** The states of a subscription; only active and on_hold are served. */
public enum SubscriptionState implements DbEnum {
    ACTIVE("active"),
    ON_HOLD("on_hold"),
    EXHAUSTED("exhausted"),
    EXPIRED("expired"),
    SUSPENDED("suspended"),
    DISABLED("disabled");

    private final String db;

    SubscriptionState(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    /** Served on nodes (dates and quota permitting). */
    public boolean live() {
        return this == ACTIVE || this == ON_HOLD;
    }

    /** Ended by its own terms (dates or quota), not by an administrator. */
    public boolean ended() {
        return this == EXHAUSTED || this == EXPIRED;
    }

    public static SubscriptionState fromDb(String value) {
        return DbEnum.fromDb(SubscriptionState.class, value);
    }
}

package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a notification is about: the scheduler makes them, a webhook subscribes to some of these. */
public enum NotificationKind implements DbEnum {
    /** A subscription used 80 % of its quota in the current period. */
    USAGE_80("usage_80"),
    /** A subscription used its whole quota in the current period. */
    USAGE_100("usage_100"),
    /** A subscription expires soon. */
    EXPIRING("expiring"),
    /** A subscription expired. */
    EXPIRED("expired"),
    /** A node went offline. */
    NODE_OFFLINE("node_offline");

    private final String db;

    NotificationKind(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static NotificationKind fromDb(String value) {
        return DbEnum.fromDb(NotificationKind.class, value);
    }
}

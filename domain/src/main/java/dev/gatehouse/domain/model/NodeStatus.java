package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** The lifecycle of a node; a disabled node serves nobody and no status report lifts it. */
public enum NodeStatus implements DbEnum {
    PENDING("pending"),
    ONLINE("online"),
    DEGRADED("degraded"),
    OFFLINE("offline"),
    DISABLED("disabled");

    private final String db;

    NodeStatus(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static NodeStatus fromDb(String value) {
        return DbEnum.fromDb(NodeStatus.class, value);
    }
}

package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a person may log in and is served. */
public enum UserStatus implements DbEnum {
    ACTIVE("active"),
    DISABLED("disabled");

    private final String db;

    UserStatus(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static UserStatus fromDb(String value) {
        return DbEnum.fromDb(UserStatus.class, value);
    }
}

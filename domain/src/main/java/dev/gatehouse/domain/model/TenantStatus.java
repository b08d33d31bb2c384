package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a tenant's people are served. */
public enum TenantStatus implements DbEnum {
    ACTIVE("active"),
    SUSPENDED("suspended");

    private final String db;

    TenantStatus(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static TenantStatus fromDb(String value) {
        return DbEnum.fromDb(TenantStatus.class, value);
    }
}

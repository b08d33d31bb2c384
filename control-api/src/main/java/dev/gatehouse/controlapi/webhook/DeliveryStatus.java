package dev.gatehouse.controlapi.webhook;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.gatehouse.domain.model.DbEnum;

/** Where one delivery of a notification to a webhook stands. */
public enum DeliveryStatus implements DbEnum {
    /** Not delivered yet; the next attempt is due at next_attempt_at. */
    PENDING("pending"),
    /** The endpoint answered 2xx. */
    DELIVERED("delivered"),
    /** Every attempt failed; no more are made. */
    FAILED("failed");

    private final String db;

    DeliveryStatus(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static DeliveryStatus fromDb(String value) {
        return DbEnum.fromDb(DeliveryStatus.class, value);
    }
}

package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where one delivery of a notification to a webhook stands. */
public enum WebhookDeliveryStatus implements DbEnum {
    /** Not delivered yet; the next attempt is due at next_attempt_at. */
    PENDING("pending"),
    /** The endpoint answered 2xx. */
    DELIVERED("delivered"),
    /** Every attempt failed; no more are made. */
    FAILED("failed");

    private final String db;

    WebhookDeliveryStatus(String db) {
        this.db = db;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public static WebhookDeliveryStatus fromDb(String value) {
        return DbEnum.fromDb(WebhookDeliveryStatus.class, value);
    }
}

package dev.gatehouse.domain.model;

import java.util.Arrays;

/** An enum stored as a lower-case text value in PostgreSQL; mapped in exactly one place. */
public interface DbEnum {

    /** The value the database holds. */
    String db();

    /** The constant whose database value is {@code value}; IllegalArgumentException for any other. */
    static <E extends Enum<E> & DbEnum> E fromDb(Class<E> type, String value) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e.db().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown " + type.getSimpleName() + ": " + value));
    }
}

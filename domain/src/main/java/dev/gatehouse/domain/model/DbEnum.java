package dev.gatehouse.domain.model;

import java.util.Arrays;
import java.util.List;

/** An enum stored as a lower-case text value in PostgreSQL; mapped in exactly one place. */
public interface DbEnum {

    /** The value the database holds. */
    String db();

    /** "must be a, b or c": the allowed database values of {@code type}, for an error message. */
    static String choices(Class<? extends DbEnum> type) {
        List<String> values = Arrays.stream(type.getEnumConstants()).map(DbEnum::db).toList();
        return values.size() == 1 ? "must be " + values.get(0)
                : "must be " + String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.get(values.size() - 1);
    }

    /** The constant whose database value is {@code value}; IllegalArgumentException for any other. */
    static <E extends Enum<E> & DbEnum> E fromDb(Class<E> type, String value) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e.db().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown " + type.getSimpleName() + ": " + value));
    }
}

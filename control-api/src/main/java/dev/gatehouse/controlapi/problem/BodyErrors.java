package dev.gatehouse.controlapi.problem;

import dev.gatehouse.domain.model.DbEnum;
import java.util.Map;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Says what is wrong with an unreadable JSON body in the client's terms, without Java names. */
final class BodyErrors {

    private BodyErrors() {
    }

    /**
     * A field whose value is readable JSON but not allowed: not one of its enum's database values
     * ("must be a, b or c"), or text holding a NUL character; else empty.
     */
    static java.util.Optional<Map<String, Object>> fieldError(HttpMessageNotReadableException e) {
        if (e.getMostSpecificCause() instanceof InvalidFormatException f && f.getTargetType() != null) {
            if (DbEnum.class.isAssignableFrom(f.getTargetType())) {
                @SuppressWarnings("unchecked")
                Class<? extends DbEnum> type = (Class<? extends DbEnum>) f.getTargetType();
                return java.util.Optional.of(Map.of("field", path(f), "message", DbEnum.choices(type)));
            }
            if (f.getTargetType() == String.class && f.getValue() instanceof String text && text.indexOf('\0') >= 0) {
                return java.util.Optional.of(Map.of("field", path(f), "message", "must not contain NUL characters"));
            }
        }
        return java.util.Optional.empty();
    }

    static String describe(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (cause instanceof InvalidFormatException f) {
            // A number or boolean where text belongs is refused by type, not read as its digits.
            return path(f) + (f.getTargetType() == String.class ? ": has the wrong type" : ": has the wrong format");
        }
        if (cause instanceof MismatchedInputException m) {
            String path = path(m);
            return path.isEmpty() ? "the body must be a JSON object" : path + ": has the wrong type";
        }
        if (cause instanceof JacksonException) {
            return "the body is not valid JSON";
        }
        return "the request body is missing or cannot be read";
    }

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}

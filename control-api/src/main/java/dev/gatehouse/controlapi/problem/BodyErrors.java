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

    /** A field whose value is not one of its enum's database values, and "must be a, b or c"; else empty. */
    static java.util.Optional<Map<String, Object>> choiceError(HttpMessageNotReadableException e) {
        if (e.getMostSpecificCause() instanceof InvalidFormatException f && f.getTargetType() != null
                && DbEnum.class.isAssignableFrom(f.getTargetType())) {
            @SuppressWarnings("unchecked")
            Class<? extends DbEnum> type = (Class<? extends DbEnum>) f.getTargetType();
            return java.util.Optional.of(Map.of("field", path(f), "message", DbEnum.choices(type)));
        }
        return java.util.Optional.empty();
    }

    static String describe(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (cause instanceof InvalidFormatException f) {
            return path(f) + ": has the wrong format";
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

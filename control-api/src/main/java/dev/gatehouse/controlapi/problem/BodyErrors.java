package dev.gatehouse.controlapi.problem;

import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Says what is wrong with an unreadable JSON body in the client's terms, without Java names. */
final class BodyErrors {

    private BodyErrors() {
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

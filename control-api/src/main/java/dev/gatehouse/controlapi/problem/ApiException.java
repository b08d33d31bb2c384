package dev.gatehouse.controlapi.problem;

import java.util.Map;

/** The one exception type services throw for a client-visible error. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final transient Map<String, Object> properties;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, Map.of());
    }

    public ApiException(ErrorCode code, String detail, Map<String, Object> properties) {
        super(detail);
        this.code = code;
        this.properties = properties;
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(ErrorCode.FORBIDDEN, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(ErrorCode.CONFLICT, detail);
    }

    /** A 400 naming the offending field. */
    /** Several fields wrong at once, each with its message, in the order found. */
    public static ApiException invalid(java.util.List<Map.Entry<String, String>> fields) {
        return new ApiException(ErrorCode.VALIDATION_FAILED,
                String.join("; ", fields.stream().map(f -> f.getKey() + ": " + f.getValue()).toList()),
                Map.of("errors", fields.stream().map(f -> Map.of("field", f.getKey(), "message", f.getValue())).toList()));
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, field + ": " + message,
                Map.of("errors", java.util.List.of(Map.of("field", field, "message", message))));
    }
}

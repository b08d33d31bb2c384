package dev.gatehouse.controlapi.problem;

import org.springframework.http.HttpStatus;

/** Every error a client can get, with its stable problem type and HTTP status. */
public enum ErrorCode {
    VALIDATION_FAILED(HttpStatus.BAD_REQUEST, "validation-failed", "The request is not valid"),
    MALFORMED_REQUEST(HttpStatus.BAD_REQUEST, "malformed-request", "The request body cannot be read"),
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication is required"),
    INVALID_CREDENTIALS(HttpStatus.UNAUTHORIZED, "invalid-credentials", "Wrong username or password"),
    INVALID_TOKEN(HttpStatus.UNAUTHORIZED, "invalid-token", "The token is not valid"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Not allowed"),
    ADDRESS_NOT_ALLOWED(HttpStatus.FORBIDDEN, "address-not-allowed", "Not allowed from this address"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    CONFLICT(HttpStatus.CONFLICT, "conflict", "Conflict"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type"),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many attempts"),
    BUSY(HttpStatus.SERVICE_UNAVAILABLE, "busy", "The server is busy; try again shortly"),
    NOT_CONFIGURED(HttpStatus.SERVICE_UNAVAILABLE, "not-configured", "A setting this needs is missing"),
    UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "The database is unavailable; try again shortly"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error");

    /** Base of every problem type URI; the part after it never changes for a given code. */
    public static final String TYPE_BASE = "https://gatehouse.dev/problems/";

    private final HttpStatus status;
    private final String slug;
    private final String title;

    ErrorCode(HttpStatus status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    /** The general problem type of a bare status code, for errors raised where no handler knows more. */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 400 -> MALFORMED_REQUEST;
            case 401 -> UNAUTHENTICATED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429 -> RATE_LIMITED;
            case 503 -> BUSY;
            default -> INTERNAL;
        };
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return TYPE_BASE + slug;
    }

    public String title() {
        return title;
    }
}

package dev.gatehouse.domain.support;

import java.util.Map;

/**
 * A domain rule refused a change. The kind carries no transport status: control-api maps it to a
 * problem document, the collector to a gRPC status. Details are figures a client can act on (how
 * many nodes a refusal is about, say); control-api adds them to the problem document.
 */
public class DomainException extends RuntimeException {

    /** Why the change was refused. */
    public enum Kind {
        NOT_FOUND, CONFLICT, INVALID,
        /** A setting the operation needs is missing (the data key, say). */
        NOT_CONFIGURED
    }

    private final Kind kind;
    private final transient Map<String, Object> details;

    public DomainException(Kind kind, String message) {
        this(kind, message, Map.of());
    }

    public DomainException(Kind kind, String message, Map<String, Object> details) {
        super(message);
        this.kind = kind;
        this.details = Map.copyOf(details);
    }

    public Kind kind() {
        return kind;
    }

    /** Named figures about the refusal, snake_case keys; empty for most. */
    public Map<String, Object> details() {
        return details;
    }
}

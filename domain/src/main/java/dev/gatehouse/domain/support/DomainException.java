package dev.gatehouse.domain.support;

/**
 * A domain rule refused a change. The kind carries no transport status: control-api maps it to a
 * problem document, the collector to a gRPC status.
 */
public class DomainException extends RuntimeException {

    /** Why the change was refused. */
    public enum Kind {
        NOT_FOUND, CONFLICT, INVALID,
        /** A setting the operation needs is missing (the data key, say). */
        NOT_CONFIGURED
    }

    private final Kind kind;

    public DomainException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

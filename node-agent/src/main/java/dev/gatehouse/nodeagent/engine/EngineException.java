package dev.gatehouse.nodeagent.engine;

/**
 * The engine refused or could not be reached. {@code permanent} tells a refusal of this one
 * credential (a malformed key, a credential whose protocol does not fit its inbound, an inbound
 * the core does not have: retrying will not help, the failure is reported) from an engine that is
 * down (retried on the next round).
 */
public class EngineException extends Exception {

    private final boolean permanent;

    public EngineException(String message, boolean permanent) {
        super(message);
        this.permanent = permanent;
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
        this.permanent = false;
    }

    public boolean permanent() {
        return permanent;
    }
}

package dev.gatehouse.controlapi.access;

/** One cell of a role matrix: a module, an operation and how far it reaches. */
public record Grant(Module module, Operation operation, Scope scope) {

    /** Parses MODULE:OPERATION as written in API token scopes. */
    public static Grant parseTenantWide(String text) {
        String[] parts = text.split(":", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected MODULE:OPERATION");
        }
        return new Grant(Module.valueOf(parts[0]), Operation.valueOf(parts[1]), Scope.TENANT);
    }

    public String text() {
        return module + ":" + operation;
    }
}

package dev.gatehouse.controlapi.access;

/** How far a grant reaches inside its tenant. */
public enum Scope {
    /** Every object of the tenant. */
    TENANT,
    /** Only objects that belong to the caller (the self-service role). */
    SELF
}

package dev.gatehouse.controlapi.access;

/** What a permission allows doing to a module's objects. */
public enum Operation {
    CREATE, READ, UPDATE, DELETE
}

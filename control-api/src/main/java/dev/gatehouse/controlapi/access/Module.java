package dev.gatehouse.controlapi.access;

/** What a permission is about. Role matrices are stored over these names. */
public enum Module {
    TENANTS, USERS, PLANS, SUBSCRIPTIONS, NODES, TRAFFIC, ROLES, AUDIT, WEBHOOKS
}

package dev.gatehouse.nodeagent.engine.xray;

/**
 * A user as the core keys it: by email (the credential id, matched case-insensitively by the
 * core, and the middle of its stat names), at a policy level, with one account.
 */
record CoreUser(String email, int level, Account account) {
}

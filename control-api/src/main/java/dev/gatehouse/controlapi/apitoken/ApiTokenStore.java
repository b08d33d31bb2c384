package dev.gatehouse.controlapi.apitoken;

import dev.gatehouse.controlapi.access.Grant;
import dev.gatehouse.controlapi.token.OpaqueToken;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** API tokens in PostgreSQL, found by the SHA-256 of the presented secret. */
@Repository
public class ApiTokenStore {

    /** A token that may be used now. */
    public record ActiveToken(UUID id, UUID userId, UUID tenantId, Set<Grant> scopes, Instant createdAt) {
    }

    /** A token as listed to its owner; never the secret. */
    record TokenView(UUID id, String name, UUID tenantId, List<String> permissions, Instant expiresAt,
                     Instant revokedAt, Instant lastUsedAt, Instant createdAt) {
    }

    private final JdbcClient jdbc;

    ApiTokenStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<ActiveToken> findActive(String token, Instant now) {
        Optional<ActiveToken> found = jdbc.sql("""
                        SELECT id, user_id, tenant_id, permissions, created_at FROM api_tokens
                        WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?""")
                .params(OpaqueToken.hash(token), Timestamp.from(now))
                .query((rs, n) -> new ActiveToken(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class),
                        Arrays.stream((String[]) rs.getArray(4).getArray()).map(Grant::parseTenantWide)
                                .collect(Collectors.toUnmodifiableSet()),
                        rs.getTimestamp(5).toInstant()))
                .optional();
        found.ifPresent(t -> jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"
                        + " AND (last_used_at IS NULL OR last_used_at < CAST(? AS timestamptz) - interval '1 minute')")
                .params(Timestamp.from(now), t.id(), Timestamp.from(now)).update());
        return found;
    }

    UUID insert(UUID userId, UUID tenantId, String name, String token, List<String> permissions, Instant expiresAt) {
        return jdbc.sql("""
                        INSERT INTO api_tokens (user_id, tenant_id, name, token_hash, permissions, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(userId, tenantId, name, OpaqueToken.hash(token), permissions.toArray(String[]::new),
                        Timestamp.from(expiresAt))
                .query(UUID.class).single();
    }

    List<TokenView> listOfUser(UUID userId, int limit, int offset) {
        return jdbc.sql("""
                        SELECT id, name, tenant_id, permissions, expires_at, revoked_at, last_used_at, created_at
                        FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?""")
                .params(userId, limit, offset)
                .query((rs, n) -> new TokenView(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getObject(3, UUID.class), List.of((String[]) rs.getArray(4).getArray()),
                        rs.getTimestamp(5).toInstant(), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)),
                        rs.getTimestamp(8).toInstant()))
                .list();
    }

    long countOfUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM api_tokens WHERE user_id = ?").param(userId).query(Long.class).single();
    }

    Optional<UUID> ownerOf(UUID tokenId) {
        return jdbc.sql("SELECT user_id FROM api_tokens WHERE id = ?").param(tokenId).query(UUID.class).optional();
    }

    boolean revoke(UUID tokenId, Instant now) {
        return jdbc.sql("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .params(Timestamp.from(now), tokenId).update() > 0;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

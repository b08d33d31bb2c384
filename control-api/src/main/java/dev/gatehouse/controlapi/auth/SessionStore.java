package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Login sessions and their refresh-token families in PostgreSQL. */
@Repository
class SessionStore {

    /** A refresh token as found by its hash, with its session, locked for the rotation. */
    record RefreshRow(UUID tokenId, UUID sessionId, UUID userId, Instant usedAt, boolean tokenRevoked,
                      Instant tokenExpiresAt, boolean sessionRevoked, Instant sessionExpiresAt) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration refreshTtl;

    SessionStore(JdbcClient jdbc, Clock clock, ControlApiProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.refreshTtl = properties.tokens().refreshTtl();
    }

    UUID createSession(UUID userId, String clientIp, String userAgent) {
        Instant now = clock.instant();
        return jdbc.sql("""
                        INSERT INTO auth_sessions (user_id, created_at, expires_at, last_used_at, client_ip, user_agent)
                        VALUES (?, ?, ?, ?, ?::inet, ?) RETURNING id""")
                .params(userId, Timestamp.from(now), Timestamp.from(now.plus(refreshTtl)), Timestamp.from(now),
                        clientIp, userAgent)
                .query(UUID.class).single();
    }

    /** Issues a refresh token in the session's family and returns its plaintext (shown once). */
    String issueRefreshToken(UUID sessionId, UUID parentId) {
        String token = OpaqueToken.REFRESH.generate();
        Instant now = clock.instant();
        jdbc.sql("""
                        INSERT INTO refresh_tokens (session_id, token_hash, parent_id, issued_at, expires_at)
                        SELECT ?, ?, ?, ?, s.expires_at FROM auth_sessions s WHERE s.id = ?""")
                .params(sessionId, OpaqueToken.hash(token), parentId, Timestamp.from(now), sessionId)
                .update();
        return token;
    }

    Optional<RefreshRow> lockRefreshToken(String token) {
        return jdbc.sql("""
                        SELECT rt.id, rt.session_id, s.user_id, rt.used_at, rt.revoked_at IS NOT NULL,
                               rt.expires_at, s.revoked_at IS NOT NULL, s.expires_at
                        FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id
                        WHERE rt.token_hash = ?
                        FOR UPDATE OF rt, s""")
                .param(OpaqueToken.hash(token))
                .query((rs, n) -> new RefreshRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), instant(rs.getTimestamp(4)), rs.getBoolean(5),
                        rs.getTimestamp(6).toInstant(), rs.getBoolean(7), rs.getTimestamp(8).toInstant()))
                .optional();
    }

    void markUsed(UUID tokenId) {
        jdbc.sql("UPDATE refresh_tokens SET used_at = ? WHERE id = ?")
                .params(Timestamp.from(clock.instant()), tokenId).update();
        jdbc.sql("UPDATE auth_sessions SET last_used_at = ? WHERE id = (SELECT session_id FROM refresh_tokens WHERE id = ?)")
                .params(Timestamp.from(clock.instant()), tokenId).update();
    }

    void revokeSession(UUID sessionId, String reason) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("UPDATE auth_sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL")
                .params(now, reason, sessionId).update();
        jdbc.sql("UPDATE refresh_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL")
                .params(now, sessionId).update();
    }

    /** Ends every open session of the user; returns their ids. */
    List<UUID> revokeAllOfUser(UUID userId, String reason) {
        List<UUID> ids = jdbc.sql("SELECT id FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL")
                .param(userId).query(UUID.class).list();
        ids.forEach(id -> revokeSession(id, reason));
        return ids;
    }

    /** Whether the session was ended (or is unknown): the truth behind the Redis copy. */
    boolean isEnded(UUID sessionId) {
        return jdbc.sql("SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE id = ?")
                .param(sessionId).query(Boolean.class).optional().orElse(true);
    }

    /** Sessions ended within the last {@code window}. */
    List<UUID> endedSince(Duration window) {
        return jdbc.sql("SELECT id FROM auth_sessions WHERE revoked_at >= ?")
                .param(Timestamp.from(clock.instant().minus(window))).query(UUID.class).list();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

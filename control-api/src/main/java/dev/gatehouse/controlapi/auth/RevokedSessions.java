package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.access.RedisTrust;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.config.RedisKeys;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Ended sessions, as Redis keys that live as long as an access token can: every replica refuses
 * the session's access tokens from the next request on, without waiting for them to expire. The
 * sessions table is the truth: while Redis is away or its copy is in doubt ({@link RedisTrust}),
 * the check reads PostgreSQL, so an ended session is never taken for a live one.
 */
@Component
class RevokedSessions {

    private final StringRedisTemplate redis;
    private final SessionStore sessions;
    private final RedisTrust trust;
    private final Duration ttl;
    private final String prefix;

    RevokedSessions(StringRedisTemplate redis, SessionStore sessions, RedisTrust trust,
                    ControlApiProperties properties, RedisKeys keys) {
        this.redis = redis;
        this.sessions = sessions;
        this.trust = trust;
        this.prefix = keys.key("revoked-session:");
        this.ttl = properties.tokens().accessTtl().plusMinutes(5);
        // Every session ended within an access token's life goes back into Redis before it is trusted.
        trust.onRepair(() -> sessions.endedSince(ttl).forEach(this::mark));
    }

    /** Called after the sessions are ended in PostgreSQL; a Redis failure here only costs trust. */
    void revoke(Collection<UUID> sessionIds) {
        try {
            sessionIds.forEach(this::mark);
        } catch (RuntimeException e) {
            trust.lost("recording ended sessions", e);
        }
    }

    private void mark(UUID sessionId) {
        redis.opsForValue().set(prefix + sessionId, "1", ttl);
    }

    boolean isRevoked(UUID sessionId) {
        if (trust.trusted()) {
            try {
                List<String> values = redis.opsForValue().multiGet(List.of(trust.markerKey(), prefix + sessionId));
                if (values != null && values.get(0) != null) {
                    return values.get(1) != null;
                }
                trust.lost("its data was lost", null);
            } catch (RuntimeException e) {
                trust.lost("checking a session", e);
            }
        }
        return sessions.isEnded(sessionId);
    }
}

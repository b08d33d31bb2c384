package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import java.time.Duration;
import java.util.Collection;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Ended sessions, as Redis keys that live as long as an access token can: every replica refuses
 * the session's access tokens from the next request on, without waiting for them to expire.
 */
@Component
class RevokedSessions {

    private static final String KEY = "gatehouse:revoked-session:";

    private final StringRedisTemplate redis;
    private final Duration ttl;

    RevokedSessions(StringRedisTemplate redis, ControlApiProperties properties) {
        this.redis = redis;
        this.ttl = properties.tokens().accessTtl().plusMinutes(5);
    }

    void revoke(Collection<UUID> sessionIds) {
        for (UUID id : sessionIds) {
            redis.opsForValue().set(KEY + id, "1", ttl);
        }
    }

    boolean isRevoked(UUID sessionId) {
        return Boolean.TRUE.equals(redis.hasKey(KEY + sessionId));
    }
}

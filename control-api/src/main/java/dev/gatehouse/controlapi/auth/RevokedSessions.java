package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.config.RedisKeys;
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

    private final StringRedisTemplate redis;
    private final Duration ttl;
    private final String prefix;

    RevokedSessions(StringRedisTemplate redis, ControlApiProperties properties, RedisKeys keys) {
        this.redis = redis;
        this.prefix = keys.key("revoked-session:");
        this.ttl = properties.tokens().accessTtl().plusMinutes(5);
    }

    void revoke(Collection<UUID> sessionIds) {
        for (UUID id : sessionIds) {
            redis.opsForValue().set(prefix + id, "1", ttl);
        }
    }

    boolean isRevoked(UUID sessionId) {
        return Boolean.TRUE.equals(redis.hasKey(prefix + sessionId));
    }
}

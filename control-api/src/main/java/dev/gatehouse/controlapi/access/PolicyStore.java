package dev.gatehouse.controlapi.access;

import dev.gatehouse.controlapi.config.RedisKeys;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.gatehouse.domain.model.UserStatus;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loads a user's grants from the role matrices in PostgreSQL and caches them in Redis. Any change
 * to roles, memberships or a user's standing bumps one epoch counter, which retires every cached
 * entry at once, on every control-api replica. While the cache cannot be trusted ({@link RedisTrust})
 * every request reads PostgreSQL.
 */
@Component
public class PolicyStore {

    private static final Duration CACHE_TTL = Duration.ofMinutes(10);

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final RedisTrust trust;
    private final JsonMapper json;
    private final String epochKey;
    private final String callerKey;

    PolicyStore(JdbcClient jdbc, StringRedisTemplate redis, JsonMapper json, RedisKeys keys, RedisTrust trust) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.trust = trust;
        this.json = json;
        this.epochKey = keys.key("policy-epoch");
        this.callerKey = keys.key("caller:");
        // Changes made while Redis was away could not retire the cache: the repair does.
        trust.onRepair(this::invalidateOrFail);
    }

    private void invalidateOrFail() {
        redis.opsForValue().increment(epochKey);
    }

    /**
     * Retires every cached grant set; call after any change to roles, memberships or users. When
     * Redis fails, trust in the cache is lost instead, and the repair bumps the epoch.
     */
    public void invalidateAll() {
        try {
            redis.opsForValue().increment(epochKey);
        } catch (RuntimeException e) {
            trust.lost("retiring cached grants", e);
        }
    }

    Optional<CallerSnapshot> snapshot(UUID userId) {
        if (!trust.trusted()) {
            return load(userId);
        }
        String key;
        String cached;
        try {
            String epoch = Optional.ofNullable(redis.opsForValue().get(epochKey)).orElse("0");
            key = callerKey + epoch + ":" + userId;
            cached = redis.opsForValue().get(key);
        } catch (RuntimeException e) {
            trust.lost("reading cached grants", e);
            return load(userId);
        }
        if (cached != null) {
            return Optional.of(json.readValue(cached, CallerSnapshot.class));
        }
        Optional<CallerSnapshot> loaded = load(userId);
        try {
            loaded.ifPresent(s -> redis.opsForValue().set(key, json.writeValueAsString(s), CACHE_TTL));
        } catch (RuntimeException e) {
            trust.lost("caching grants", e);
        }
        return loaded;
    }

    private Optional<CallerSnapshot> load(UUID userId) {
        record UserRow(UUID id, String username, String status, boolean platformAdmin, Timestamp validAfter) {
        }
        Optional<UserRow> user = jdbc.sql("""
                        SELECT id, username, status, platform_admin, sessions_valid_after
                        FROM users WHERE id = ?""")
                .param(userId)
                .query((rs, n) -> new UserRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getBoolean(4), rs.getTimestamp(5)))
                .optional();
        if (user.isEmpty()) {
            return Optional.empty();
        }
        Map<UUID, List<Grant>> grants = new HashMap<>();
        jdbc.sql("""
                        SELECT m.tenant_id, p.module, p.operation, p.scope
                        FROM memberships m
                        JOIN role_permissions p ON p.role_id = m.role_id
                        JOIN tenants t ON t.id = m.tenant_id AND t.status = 'active'
                        WHERE m.user_id = ?""")
                .param(userId)
                .query(rs -> {
                    grants.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Grant(Module.valueOf(rs.getString(2)), Operation.valueOf(rs.getString(3)),
                                    Scope.valueOf(rs.getString(4))));
                });
        UserRow u = user.get();
        return Optional.of(new CallerSnapshot(u.id(), u.username(), UserStatus.ACTIVE.db().equals(u.status()), u.platformAdmin(),
                u.validAfter().toInstant(), grants));
    }
}

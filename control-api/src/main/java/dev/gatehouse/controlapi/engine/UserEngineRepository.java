package dev.gatehouse.controlapi.engine;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Per-user engine overrides (user_engines) and what they must respect. */
@Repository
class UserEngineRepository {

    /** A plan one of the user's subscriptions is on. */
    record PlanLimit(String name, List<String> engines, boolean allowOverride) {
    }

    private final JdbcClient jdbc;

    private final java.time.Clock clock;

    UserEngineRepository(JdbcClient jdbc, java.time.Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The user's tenant; empty when there is no such user (or it is a platform user). */
    Optional<UUID> tenantOf(UUID userId) {
        return jdbc.sql("SELECT tenant_id FROM users WHERE id = ? AND tenant_id IS NOT NULL").param(userId)
                .query(UUID.class).optional();
    }

    Optional<List<String>> override(UUID userId) {
        return jdbc.sql("SELECT engines FROM user_engines WHERE user_id = ?").param(userId)
                .query((rs, n) -> List.of((String[]) rs.getArray(1).getArray())).optional();
    }

    List<PlanLimit> plansOf(UUID userId) {
        return jdbc.sql("""
                        SELECT DISTINCT p.name, p.engines, p.allow_engine_override
                        FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.user_id = ?""")
                .param(userId)
                .query((rs, n) -> new PlanLimit(rs.getString(1), List.of((String[]) rs.getArray(2).getArray()),
                        rs.getBoolean(3)))
                .list();
    }

    void save(UUID userId, UUID tenantId, List<String> engines, UUID by) {
        jdbc.sql("""
                        INSERT INTO user_engines (user_id, tenant_id, engines, updated_at, updated_by)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (user_id) DO UPDATE SET engines = EXCLUDED.engines,
                            updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""")
                .params(userId, tenantId, engines.toArray(String[]::new), java.sql.Timestamp.from(clock.instant()), by)
                .update();
    }

    void clear(UUID userId) {
        jdbc.sql("DELETE FROM user_engines WHERE user_id = ?").param(userId).update();
    }
}

package dev.gatehouse.controlapi.plan;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.web.SearchText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plans in PostgreSQL. */
@Repository
class PlanRepository {

    private static final String SELECT = """
            SELECT p.id, p.tenant_id, p.name, p.description, p.quota_bytes, p.duration_days, p.engines,
                   p.reset_strategy, p.start_on_first_use, p.on_hold_days, p.next_plan_id, p.allow_engine_override,
                   (SELECT count(*) FROM subscriptions s WHERE s.plan_id = p.id), p.created_at, p.updated_at
            FROM plans p""";

    private static final String WHERE = """
             WHERE (:all OR p.tenant_id = ANY(:ids))
              AND (CAST(:tenant AS uuid) IS NULL OR p.tenant_id = :tenant)
              AND (CAST(:q AS text) IS NULL OR lower(p.name) LIKE :q)
              AND (CAST(:engine AS text) IS NULL OR :engine = ANY(p.engines))""";

    private final JdbcClient jdbc;

    PlanRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<PlanDtos.PlanResponse> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE p.id = ?").param(id).query(PlanRepository::map).optional();
    }

    List<PlanDtos.PlanResponse> list(TenantFilter filter, UUID tenant, String q, String engine, String orderBy,
                                     int limit, int offset) {
        return bind(jdbc.sql(SELECT + " " + WHERE + orderBy + " LIMIT :limit OFFSET :offset"), filter, tenant, q, engine)
                .param("limit", limit).param("offset", offset).query(PlanRepository::map).list();
    }

    long count(TenantFilter filter, UUID tenant, String q, String engine) {
        return bind(jdbc.sql("SELECT count(*) FROM plans p " + WHERE), filter, tenant, q, engine)
                .query(Long.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, TenantFilter filter, UUID tenant,
                                                 String q, String engine) {
        return spec.param("all", filter.all()).param("ids", filter.tenantWideArray()).param("tenant", tenant)
                .param("q", SearchText.containsPattern(q)).param("engine", engine);
    }

    boolean nameTaken(UUID tenantId, String name, UUID except) {
        return jdbc.sql("SELECT count(*) FROM plans WHERE tenant_id = ? AND lower(name) = lower(?)"
                        + " AND id IS DISTINCT FROM ?")
                .params(tenantId, name, except).query(Long.class).single() > 0;
    }

    UUID insert(UUID tenantId, PlanDtos.PlanCreateRequest r, List<String> engines) {
        return jdbc.sql("""
                        INSERT INTO plans (tenant_id, name, description, quota_bytes, duration_days, engines,
                                           reset_strategy, start_on_first_use, on_hold_days, next_plan_id,
                                           allow_engine_override)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(tenantId, r.name().trim(), r.description(), r.quotaBytes(), r.durationDays(),
                        engines.toArray(String[]::new), r.resetStrategy() == null ? "no_reset" : r.resetStrategy(),
                        Boolean.TRUE.equals(r.startOnFirstUse()), r.onHoldDays(), r.nextPlanId(),
                        Boolean.TRUE.equals(r.allowEngineOverride()))
                .query(UUID.class).single();
    }

    void update(UUID id, PlanDtos.PlanUpdateRequest r, List<String> engines) {
        jdbc.sql("""
                        UPDATE plans SET name = COALESCE(?, name), description = COALESCE(?, description),
                               quota_bytes = CASE WHEN ? THEN NULL ELSE COALESCE(?, quota_bytes) END,
                               duration_days = COALESCE(?, duration_days), engines = COALESCE(?, engines),
                               reset_strategy = COALESCE(?, reset_strategy),
                               start_on_first_use = COALESCE(?, start_on_first_use),
                               on_hold_days = COALESCE(?, on_hold_days), next_plan_id = COALESCE(?, next_plan_id),
                               allow_engine_override = COALESCE(?, allow_engine_override),
                               updated_at = now(), version = version + 1
                        WHERE id = ?""")
                .params(r.name() == null ? null : r.name().trim(), r.description(),
                        Boolean.TRUE.equals(r.quotaUnlimited()), r.quotaBytes(), r.durationDays(),
                        engines == null ? null : engines.toArray(String[]::new), r.resetStrategy(),
                        r.startOnFirstUse(), r.onHoldDays(), r.nextPlanId(), r.allowEngineOverride(), id)
                .update();
    }

    boolean inUse(UUID id) {
        return jdbc.sql("SELECT count(*) FROM subscriptions WHERE plan_id = ? OR next_plan_id = ?")
                .params(id, id).query(Long.class).single() > 0
                || jdbc.sql("SELECT count(*) FROM plans WHERE next_plan_id = ?").param(id).query(Long.class).single() > 0;
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM plans WHERE id = ?").param(id).update();
    }

    private static PlanDtos.PlanResponse map(ResultSet rs, int n) throws SQLException {
        return new PlanDtos.PlanResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), (Long) rs.getObject(5), (Integer) rs.getObject(6),
                List.of((String[]) rs.getArray(7).getArray()), rs.getString(8), rs.getBoolean(9),
                (Integer) rs.getObject(10), rs.getObject(11, UUID.class), rs.getBoolean(12), rs.getLong(13),
                rs.getTimestamp(14).toInstant(), rs.getTimestamp(15).toInstant());
    }
}

package dev.gatehouse.controlapi.audit;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the audit trail, newest first, paged and filtered; each tenant's entries only to those allowed. */
@org.springframework.stereotype.Service
class AuditQuery {

    record AuditEntry(long id, Instant occurredAt, String actorKind, UUID actorId, String actorName, UUID tenantId,
                      String action, String targetType, String targetId, JsonNode before, JsonNode after,
                      String requestId, String clientIp) {
    }

    private static final String WHERE = """
            (:all OR tenant_id = ANY(:ids))
            AND (CAST(:tenant AS uuid) IS NULL OR tenant_id = :tenant)
            AND (CAST(:actor AS uuid) IS NULL OR actor_id = :actor)
            AND (CAST(:action AS text) IS NULL OR action = :action)
            AND (CAST(:targetType AS text) IS NULL OR target_type = :targetType)
            AND (CAST(:targetId AS text) IS NULL OR target_id = :targetId)
            AND (CAST(:since AS timestamptz) IS NULL OR occurred_at >= :since)
            AND (CAST(:until AS timestamptz) IS NULL OR occurred_at < :until)""";

    private final JdbcClient jdbc;
    private final AccessPolicy access;
    private final JsonMapper json;

    AuditQuery(JdbcClient jdbc, AccessPolicy access, JsonMapper json) {
        this.jdbc = jdbc;
        this.access = access;
        this.json = json;
    }

    @org.springframework.transaction.annotation.Transactional(readOnly = true)
    Page<AuditEntry> list(UUID tenantId, UUID actorId, String action, String targetType, String targetId,
                          Instant since, Instant until, PageRequest page) {
        access.checkTenantFilter(Module.AUDIT, tenantId);
        AccessPolicy.TenantFilter filter = access.filter(Module.AUDIT);
        var items = bind(jdbc.sql("""
                        SELECT id, occurred_at, actor_kind, actor_id, actor_name, tenant_id, action, target_type,
                               target_id, before_state::text, after_state::text, request_id, host(client_ip)
                        FROM audit_logs WHERE """ + WHERE + " ORDER BY id DESC LIMIT :limit OFFSET :offset"),
                filter, tenantId, actorId, action, targetType, targetId, since, until)
                .param("limit", page.limit()).param("offset", page.offset())
                .query(this::map).list();
        long total = bind(jdbc.sql("SELECT count(*) FROM audit_logs WHERE " + WHERE), filter, tenantId, actorId,
                action, targetType, targetId, since, until).query(Long.class).single();
        return new Page<>(items, total, page);
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, AccessPolicy.TenantFilter filter,
                                                 UUID tenantId, UUID actorId, String action, String targetType,
                                                 String targetId, Instant since, Instant until) {
        return spec.param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("tenant", tenantId).param("actor", actorId).param("action", action)
                .param("targetType", targetType).param("targetId", targetId)
                .param("since", since == null ? null : Timestamp.from(since))
                .param("until", until == null ? null : Timestamp.from(until));
    }

    private AuditEntry map(ResultSet rs, int n) throws SQLException {
        return new AuditEntry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                rs.getObject(4, UUID.class), rs.getString(5), rs.getObject(6, UUID.class), rs.getString(7),
                rs.getString(8), rs.getString(9), parse(rs.getString(10)), parse(rs.getString(11)), rs.getString(12),
                rs.getString(13));
    }

    private JsonNode parse(String text) {
        return text == null ? null : json.readTree(text);
    }
}

package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.web.SearchText;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.NodeEngineSettings;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Nodes, their policies, enrollment tokens and revisions in PostgreSQL. */
@Repository
class NodeRepository {

    private static final String SELECT = """
            SELECT n.id, n.tenant_id, n.name, n.address, n.tags, n.capacity, n.usage_coefficient, n.engines::text,
                   n.status, n.assigned_count, n.last_seen_at,
                   n.created_at, n.updated_at
            FROM nodes n""";

    private static final String WHERE = """
             WHERE (:all OR n.tenant_id = ANY(:ids))
              AND (CAST(:tenant AS uuid) IS NULL OR n.tenant_id = :tenant)
              AND (CAST(:status AS text) IS NULL OR n.status = :status)
              AND (CAST(:tag AS text) IS NULL OR :tag = ANY(n.tags))
              AND (CAST(:q AS text) IS NULL OR lower(n.name) LIKE :q OR lower(n.address) LIKE :q)""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    NodeRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Optional<NodeDtos.NodeResponse> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE n.id = ?").param(id).query(this::map).optional();
    }

    List<NodeDtos.NodeResponse> list(TenantFilter filter, UUID tenant, String status, String tag, String q,
                                     String orderBy, int limit, int offset) {
        return bind(jdbc.sql(SELECT + " " + WHERE + orderBy + " LIMIT :limit OFFSET :offset"), filter, tenant, status, tag, q)
                .param("limit", limit).param("offset", offset).query(this::map).list();
    }

    long count(TenantFilter filter, UUID tenant, String status, String tag, String q) {
        return bind(jdbc.sql("SELECT count(*) FROM nodes n " + WHERE), filter, tenant, status, tag, q)
                .query(Long.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, TenantFilter filter, UUID tenant,
                                                 String status, String tag, String q) {
        return spec.param("all", filter.all()).param("ids", filter.tenantWideArray()).param("tenant", tenant)
                .param("status", status).param("tag", tag).param("q", SearchText.containsPattern(q));
    }

    boolean nameTaken(UUID tenantId, String name, UUID except) {
        return jdbc.sql("SELECT count(*) FROM nodes WHERE tenant_id = ? AND lower(name) = lower(?)"
                        + " AND id IS DISTINCT FROM ?")
                .params(tenantId, name, except).query(Long.class).single() > 0;
    }

    UUID insert(NodeDtos.NodeCreateRequest r, List<String> tags) {
        UUID id = jdbc.sql("""
                        INSERT INTO nodes (tenant_id, name, address, tags, capacity, usage_coefficient, engines)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id""")
                .params(r.tenantId(), r.name().trim(), r.address().trim(), tags.toArray(String[]::new), r.capacity(),
                        r.usageCoefficient() == null ? BigDecimal.ONE : r.usageCoefficient(),
                        r.engines().toSettings().toJson())
                .query(UUID.class).single();
        jdbc.sql("INSERT INTO node_revisions (node_id) VALUES (?)").param(id).update();
        return id;
    }

    void update(UUID id, NodeDtos.NodeUpdateRequest r, List<String> tags) {
        jdbc.sql("""
                        UPDATE nodes SET name = COALESCE(?, name), address = COALESCE(?, address),
                               tags = COALESCE(?, tags),
                               capacity = CASE WHEN ? THEN NULL ELSE COALESCE(?, capacity) END,
                               usage_coefficient = COALESCE(?, usage_coefficient),
                               engines = COALESCE(CAST(? AS jsonb), engines),
                               updated_at = now(), version = version + 1
                        WHERE id = ?""")
                .params(r.name() == null ? null : r.name().trim(), r.address() == null ? null : r.address().trim(),
                        tags == null ? null : tags.toArray(String[]::new), Boolean.TRUE.equals(r.unlimitedCapacity()),
                        r.capacity(), r.usageCoefficient(),
                        r.engines() == null ? null : r.engines().toSettings().toJson(), id)
                .update();
    }

    void setStatus(UUID id, NodeStatus status) {
        jdbc.sql("UPDATE nodes SET status = ?, updated_at = now(), version = version + 1 WHERE id = ?")
                .params(status.db(), id).update();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM nodes WHERE id = ?").param(id).update();
    }

    void insertEnrollmentToken(UUID nodeId, byte[] hash, Instant expiresAt, UUID createdBy) {
        jdbc.sql("INSERT INTO enrollment_tokens (node_id, token_hash, expires_at, created_by) VALUES (?, ?, ?, ?)")
                .params(nodeId, hash, Timestamp.from(expiresAt), createdBy).update();
    }

    Optional<NodeDtos.PolicyResponse> policy(UUID nodeId) {
        return jdbc.sql("SELECT node_id, document::text, updated_at FROM node_policies WHERE node_id = ?")
                .param(nodeId)
                .query((rs, n) -> new NodeDtos.PolicyResponse(rs.getObject(1, UUID.class),
                        readMap(rs.getString(2)), rs.getTimestamp(3).toInstant()))
                .optional();
    }

    void savePolicy(UUID nodeId, Map<String, Object> document, UUID by) {
        jdbc.sql("""
                        INSERT INTO node_policies (node_id, document, updated_at, updated_by)
                        VALUES (?, ?::jsonb, now(), ?)
                        ON CONFLICT (node_id) DO UPDATE SET document = EXCLUDED.document,
                            updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""")
                .params(nodeId, json.writeValueAsString(document), by).update();
    }

    NodeDtos.HealthResponse health(UUID nodeId, Instant now) {
        return jdbc.sql("""
                        SELECT n.id, n.status, n.last_seen_at, r.desired_revision, r.applied_revision,
                               n.agent_version, n.core_versions::text
                        FROM nodes n JOIN node_revisions r ON r.node_id = n.id WHERE n.id = ?""")
                .param(nodeId)
                .query((rs, i) -> {
                    Timestamp seen = rs.getTimestamp(3);
                    boolean connected = seen != null && seen.toInstant().isAfter(now.minusSeconds(90));
                    long desired = rs.getLong(4);
                    long applied = rs.getLong(5);
                    return new NodeDtos.HealthResponse(rs.getObject(1, UUID.class), rs.getString(2),
                            connected ? "connected" : "disconnected", seen == null ? null : seen.toInstant(),
                            desired, applied, applied >= desired, rs.getString(6), readMap(rs.getString(7)));
                })
                .single();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMap(String text) {
        return text == null ? Map.of() : json.readValue(text, Map.class);
    }

    private NodeDtos.NodeResponse map(ResultSet rs, int n) throws SQLException {
        Timestamp seen = rs.getTimestamp(11);
        return new NodeDtos.NodeResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), List.of((String[]) rs.getArray(5).getArray()), (Integer) rs.getObject(6),
                rs.getBigDecimal(7), NodeDtos.NodeEngines.of(NodeEngineSettings.parse(rs.getString(8))), rs.getString(9),
                rs.getLong(10), seen == null ? null : seen.toInstant(), rs.getTimestamp(12).toInstant(),
                rs.getTimestamp(13).toInstant());
    }
}

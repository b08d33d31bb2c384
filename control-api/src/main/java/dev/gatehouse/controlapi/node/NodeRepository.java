package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SearchText;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.ArrayList;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.NodeEngineSettings;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Nodes (JPA entities through Spring Data, the tenant filter from {@link TenantScope}) and, in SQL,
 * their policies, enrollment tokens and health, which join the desired state's revisions.
 */
@Component
class NodeRepository {

    private final NodeRecords nodes;
    private final EntityManager entities;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    NodeRepository(NodeRecords nodes, EntityManager entities, JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.nodes = nodes;
        this.entities = entities;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** The node as stored now: re-read, since assignments change its load through a trigger in SQL. */
    Optional<NodeDtos.NodeResponse> find(UUID id) {
        return nodes.findById(id).map(node -> {
            entities.refresh(node);
            return node.response();
        });
    }

    Page<NodeDtos.NodeResponse> list(TenantFilter filter, UUID tenant, NodeStatus status, String tag, String q, Sort sort,
                                     PageRequest page) {
        List<Specification<Node>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(filter, "tenantId", null));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        if (status != null) {
            where.add((root, query, cb) -> cb.equal(root.get("status"), status.db()));
        }
        if (tag != null) {
            // Hibernate's array_position: the 1-based position, 0 (or null) when absent.
            where.add((root, query, cb) -> cb.greaterThan(cb.function("array_position", Integer.class,
                    root.get("tags"), cb.literal(tag)), 0));
        }
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.or(cb.like(cb.lower(root.get("name")), pattern, '\\'),
                    cb.like(cb.lower(root.get("address")), pattern, '\\')));
        }
        var found = nodes.findAll(Specification.allOf(where), OffsetPage.of(page, sort));
        return new Page<>(found.getContent().stream().map(Node::response).toList(), found.getTotalElements(), page);
    }

    boolean nameTaken(UUID tenantId, String name, UUID except) {
        return nodes.nameTaken(tenantId, name, except);
    }

    /** A new node, with its desired state at revision 0. */
    UUID insert(NodeDtos.NodeCreateRequest r, List<String> tags) {
        UUID id = nodes.saveAndFlush(new Node(r, tags, clock.instant())).id();
        jdbc.sql("INSERT INTO node_revisions (node_id) VALUES (?)").param(id).update();
        return id;
    }

    /** Flushed at once: the desired state reads the node's settings in SQL next. */
    void update(UUID id, NodeDtos.NodeUpdateRequest r, List<String> tags) {
        Node node = nodes.findById(id).orElseThrow();
        node.update(r, tags, clock.instant());
        nodes.saveAndFlush(node);
    }

    void setStatus(UUID id, NodeStatus status) {
        Node node = nodes.findById(id).orElseThrow();
        node.setStatus(status, clock.instant());
        nodes.saveAndFlush(node);
    }

    void delete(UUID id) {
        nodes.deleteById(id);
        nodes.flush();
    }

    void insertEnrollmentToken(UUID nodeId, byte[] hash, Instant expiresAt, UUID createdBy) {
        jdbc.sql("INSERT INTO enrollment_tokens (node_id, token_hash, expires_at, created_by) VALUES (?, ?, ?, ?)")
                .params(nodeId, hash, Timestamp.from(expiresAt), createdBy).update();
    }

    /** Unused tokens of the node stop working now (a new token was asked for, or the node was disabled). */
    void expireEnrollmentTokens(UUID nodeId) {
        jdbc.sql("UPDATE enrollment_tokens SET expires_at = now() WHERE node_id = ? AND used_at IS NULL"
                + " AND expires_at > now()").param(nodeId).update();
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
                        VALUES (?, ?::jsonb, ?, ?)
                        ON CONFLICT (node_id) DO UPDATE SET document = EXCLUDED.document,
                            updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""")
                .params(nodeId, json.writeValueAsString(document), Timestamp.from(clock.instant()), by).update();
    }

    NodeDtos.HealthResponse health(UUID nodeId, Instant now) {
        return jdbc.sql("""
                        SELECT n.id, n.status, n.last_seen_at, r.desired_revision, r.applied_revision,
                               n.agent_version, n.core_versions::text, r.apply_failures::text, r.applied_at
                        FROM nodes n JOIN node_revisions r ON r.node_id = n.id WHERE n.id = ?""")
                .param(nodeId)
                .query((rs, i) -> {
                    Timestamp seen = rs.getTimestamp(3);
                    boolean connected = seen != null && seen.toInstant().isAfter(now.minusSeconds(90));
                    long desired = rs.getLong(4);
                    long applied = rs.getLong(5);
                    return new NodeDtos.HealthResponse(rs.getObject(1, UUID.class), NodeStatus.fromDb(rs.getString(2)),
                            connected ? "connected" : "disconnected", seen == null ? null : seen.toInstant(),
                            desired, applied, applied >= desired, rs.getString(6), readMap(rs.getString(7)),
                            readFailures(rs.getString(8)), rs.getTimestamp(9) == null ? null
                                    : rs.getTimestamp(9).toInstant());
                })
                .single();
    }

    private List<NodeDtos.ApplyFailure> readFailures(String text) {
        return text == null ? List.of() : List.of(json.readValue(text, NodeDtos.ApplyFailure[].class));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMap(String text) {
        return text == null ? Map.of() : json.readValue(text, Map.class);
    }

}

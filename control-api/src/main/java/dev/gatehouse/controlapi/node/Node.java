package dev.gatehouse.controlapi.node;

import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.NodeEngineSettings;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An edge server of a tenant, as administrators manage it. Only the columns an administrator
 * changes are written ({@link DynamicUpdate}): the load counters belong to a trigger, and the session
 * columns (last seen, agent version) to the collector.
 */
@Entity
@Table(name = "nodes")
@DynamicUpdate
class Node {

    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    private String address;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] tags;
    private Integer capacity;
    private BigDecimal usageCoefficient;
    @JdbcTypeCode(SqlTypes.JSON)
    private String engines;
    private String status;
    @Column(insertable = false, updatable = false)
    private long assignedCount;
    @Column(insertable = false, updatable = false)
    private Instant lastSeenAt;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Node() {
    }

    Node(NodeDtos.NodeCreateRequest r, List<String> tags, Instant now) {
        this.id = UUID.randomUUID();
        this.tenantId = r.tenantId();
        this.name = r.name().trim();
        this.address = r.address().trim();
        this.tags = tags.toArray(String[]::new);
        this.capacity = r.capacity();
        this.usageCoefficient = r.usageCoefficient() == null ? BigDecimal.ONE : r.usageCoefficient();
        this.engines = r.engines().toSettings().toJson();
        this.status = NodeStatus.PENDING.db();
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Applies the fields the request carries; the others stay. */
    void update(NodeDtos.NodeUpdateRequest r, List<String> tags, Instant now) {
        if (r.name() != null) {
            name = r.name().trim();
        }
        if (r.address() != null) {
            address = r.address().trim();
        }
        if (tags != null) {
            this.tags = tags.toArray(String[]::new);
        }
        if (Boolean.TRUE.equals(r.unlimitedCapacity())) {
            capacity = null;
        } else if (r.capacity() != null) {
            capacity = r.capacity();
        }
        if (r.usageCoefficient() != null) {
            usageCoefficient = r.usageCoefficient();
        }
        if (r.engines() != null) {
            engines = r.engines().toSettings().toJson();
        }
        updatedAt = now;
    }

    void setStatus(NodeStatus status, Instant now) {
        this.status = status.db();
        this.updatedAt = now;
    }

    UUID id() {
        return id;
    }

    NodeDtos.NodeResponse response() {
        return new NodeDtos.NodeResponse(id, tenantId, name, address, List.of(tags), capacity, usageCoefficient,
                NodeDtos.NodeEngines.of(NodeEngineSettings.parse(engines)), NodeStatus.fromDb(status), assignedCount, lastSeenAt,
                createdAt, updatedAt);
    }
}

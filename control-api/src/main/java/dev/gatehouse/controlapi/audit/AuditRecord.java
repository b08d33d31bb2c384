package dev.gatehouse.controlapi.audit;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One audit entry as a record to read; {@link AuditLog} appends them in SQL and the table refuses changes. */
@Entity
@Table(name = "audit_logs")
@Immutable
class AuditRecord {

    @Id
    private long id;
    private Instant occurredAt;
    private String actorKind;
    private UUID actorId;
    private String actorName;
    private UUID tenantId;
    private String action;
    private String targetType;
    private String targetId;
    @JdbcTypeCode(SqlTypes.JSON)
    private String beforeState;
    @JdbcTypeCode(SqlTypes.JSON)
    private String afterState;
    private String requestId;
    /** The address without its prefix length, as clients expect it. */
    @ColumnTransformer(read = "host(client_ip)")
    private String clientIp;

    protected AuditRecord() {
    }

    long id() {
        return id;
    }

    Instant occurredAt() {
        return occurredAt;
    }

    String actorKind() {
        return actorKind;
    }

    UUID actorId() {
        return actorId;
    }

    String actorName() {
        return actorName;
    }

    UUID tenantId() {
        return tenantId;
    }

    String action() {
        return action;
    }

    String targetType() {
        return targetType;
    }

    String targetId() {
        return targetId;
    }

    String beforeState() {
        return beforeState;
    }

    String afterState() {
        return afterState;
    }

    String requestId() {
        return requestId;
    }

    String clientIp() {
        return clientIp;
    }
}

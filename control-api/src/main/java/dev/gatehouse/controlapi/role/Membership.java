package dev.gatehouse.controlapi.role;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Formula;

/** A person's role in a tenant. */
@Entity
@Table(name = "memberships")
class Membership {

    @Id
    private UUID id;
    private UUID userId;
    private UUID tenantId;
    private UUID roleId;
    @Formula("(SELECT r.name FROM roles r WHERE r.id = role_id)")
    private String roleName;
    private Instant createdAt;
    private UUID createdBy;

    protected Membership() {
    }

    Membership(UUID userId, UUID tenantId, UUID roleId, UUID createdBy, Instant now) {
        this.id = UUID.randomUUID();
        this.userId = userId;
        this.tenantId = tenantId;
        this.roleId = roleId;
        this.createdBy = createdBy;
        this.createdAt = now;
    }

    UUID id() {
        return id;
    }

    RoleDtos.MembershipResponse response() {
        return new RoleDtos.MembershipResponse(id, userId, tenantId, roleId, roleName, createdAt);
    }
}

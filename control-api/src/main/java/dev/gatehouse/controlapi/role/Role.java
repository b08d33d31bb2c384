package dev.gatehouse.controlapi.role;

import dev.gatehouse.controlapi.access.Grant;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A role: a matrix of modules x operations, built in or a tenant's own. */
@Entity
@Table(name = "roles")
class Role {

    /** One cell of the matrix: a module, an operation, and whether it covers the tenant or only the holder. */
    @Embeddable
    record Permission(String module, String operation, String scope) {
        static Permission of(Grant g) {
            return new Permission(g.module().name(), g.operation().name(), g.scope().name());
        }

        String text() {
            return module + ":" + operation + ("SELF".equals(scope) ? ":SELF" : "");
        }
    }

    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    private String description;
    private boolean builtin;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "role_permissions", joinColumns = @JoinColumn(name = "role_id"))
    private Set<Permission> permissions = new HashSet<>();
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Role() {
    }

    Role(UUID tenantId, String name, String description, Instant now) {
        this.id = UUID.randomUUID();
        this.tenantId = tenantId;
        this.name = name;
        this.description = description;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void setPermissions(List<Grant> grants, Instant now) {
        permissions.clear();
        grants.forEach(g -> permissions.add(Permission.of(g)));
        updatedAt = now;
    }

    void describe(String description, Instant now) {
        if (description != null) {
            this.description = description;
        }
        updatedAt = now;
    }

    UUID id() {
        return id;
    }

    RoleDtos.RoleResponse response() {
        List<String> matrix = permissions.stream()
                .sorted(Comparator.comparing(Permission::module).thenComparing(Permission::operation))
                .map(Permission::text).toList();
        return new RoleDtos.RoleResponse(id, tenantId, name, description, builtin, matrix, createdAt, updatedAt);
    }
}

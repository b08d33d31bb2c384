package dev.gatehouse.controlapi.role;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.Grant;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Component;

/**
 * Roles with their permission matrices, and memberships: JPA entities through Spring Data, the
 * tenant filter from {@link TenantScope}.
 */
@Component
class RoleRepository {

    private final RoleRecords roles;
    private final MembershipRecords memberships;
    private final JdbcClient jdbc;
    private final Clock clock;

    RoleRepository(RoleRecords roles, MembershipRecords memberships, JdbcClient jdbc, Clock clock) {
        this.roles = roles;
        this.memberships = memberships;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Optional<RoleDtos.RoleResponse> find(UUID id) {
        return roles.findById(id).map(Role::response);
    }

    /** Built-in roles first, then the caller's tenants' own, by name. */
    Page<RoleDtos.RoleResponse> list(TenantFilter filter, PageRequest page) {
        Specification<Role> visible = TenantScope.visibleTo(filter, "tenantId", null);
        Specification<Role> spec = (root, query, cb) -> cb.or(cb.isTrue(root.get("builtin")),
                visible.toPredicate(root, query, cb));
        var found = roles.findAll(spec, OffsetPage.of(page,
                Sort.by(Sort.Order.desc("builtin"), Sort.Order.asc("name"), Sort.Order.asc("id"))));
        return new Page<>(found.getContent().stream().map(Role::response).toList(), found.getTotalElements(), page);
    }

    boolean nameTaken(UUID tenantId, String name) {
        return roles.nameTaken(tenantId, name);
    }

    UUID insert(UUID tenantId, String name, String description, List<Grant> grants) {
        Role role = new Role(tenantId, name, description, clock.instant());
        role.setPermissions(grants, clock.instant());
        return roles.saveAndFlush(role).id();
    }

    /** New permissions (when given) and description (when given). */
    void update(UUID id, List<Grant> grants, String description) {
        Role role = roles.findById(id).orElseThrow();
        if (grants != null) {
            role.setPermissions(grants, clock.instant());
        }
        role.describe(description, clock.instant());
        roles.saveAndFlush(role);
    }

    boolean inUse(UUID roleId) {
        return memberships.existsByRoleId(roleId);
    }

    void delete(UUID id) {
        roles.deleteById(id);
        roles.flush();
    }

    Optional<RoleDtos.MembershipResponse> findMembership(UUID id) {
        return memberships.findById(id).map(Membership::response);
    }

    Page<RoleDtos.MembershipResponse> listMemberships(TenantFilter filter, UUID tenant, UUID user, PageRequest page) {
        List<Specification<Membership>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(filter, "tenantId", null));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        if (user != null) {
            where.add((root, query, cb) -> cb.equal(root.get("userId"), user));
        }
        var found = memberships.findAll(Specification.allOf(where), OffsetPage.of(page,
                Sort.by(Sort.Order.asc("createdAt"), Sort.Order.asc("id"))));
        return new Page<>(found.getContent().stream().map(Membership::response).toList(), found.getTotalElements(),
                page);
    }

    boolean membershipExists(UUID userId, UUID tenantId, UUID roleId) {
        return memberships.existsByUserIdAndTenantIdAndRoleId(userId, tenantId, roleId);
    }

    UUID insertMembership(UUID userId, UUID tenantId, UUID roleId, UUID createdBy) {
        UUID id = memberships.saveAndFlush(new Membership(userId, tenantId, roleId, createdBy, clock.instant())).id();
        return id;
    }

    void deleteMembership(UUID id) {
        memberships.deleteById(id);
        memberships.flush();
    }

    /** The tenant a user belongs to, and whether the user exists (empty when not). */
    Optional<Optional<UUID>> tenantOfUser(UUID userId) {
        return jdbc.sql("SELECT tenant_id FROM users WHERE id = ?").param(userId)
                .query((rs, n) -> Optional.ofNullable(rs.getObject(1, UUID.class))).optional();
    }

    List<UUID> usersWithRole(UUID roleId) {
        return memberships.usersWithRole(roleId);
    }
}

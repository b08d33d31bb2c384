package dev.gatehouse.controlapi.role;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.Grant;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Roles with their permission matrices, and memberships, in PostgreSQL. */
@Repository
class RoleRepository {

    private static final String ROLE = """
            SELECT r.id, r.tenant_id, r.name, r.description, r.builtin,
                   coalesce(array_agg(p.module || ':' || p.operation || CASE WHEN p.scope = 'SELF' THEN ':SELF' ELSE '' END
                                      ORDER BY p.module, p.operation) FILTER (WHERE p.role_id IS NOT NULL), '{}'),
                   r.created_at, r.updated_at
            FROM roles r LEFT JOIN role_permissions p ON p.role_id = r.id""";

    private static final String MEMBERSHIP = """
            SELECT m.id, m.user_id, m.tenant_id, m.role_id, r.name, m.created_at
            FROM memberships m JOIN roles r ON r.id = m.role_id""";

    private final JdbcClient jdbc;

    RoleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<RoleDtos.RoleResponse> find(UUID id) {
        return jdbc.sql(ROLE + " WHERE r.id = ? GROUP BY r.id").param(id).query(RoleRepository::mapRole).optional();
    }

    List<RoleDtos.RoleResponse> list(TenantFilter filter, int limit, int offset) {
        return jdbc.sql(ROLE + " WHERE r.builtin OR :all OR r.tenant_id = ANY(:ids)"
                        + " GROUP BY r.id ORDER BY r.builtin DESC, r.name, r.id LIMIT :limit OFFSET :offset")
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("limit", limit).param("offset", offset)
                .query(RoleRepository::mapRole).list();
    }

    long count(TenantFilter filter) {
        return jdbc.sql("SELECT count(*) FROM roles r WHERE r.builtin OR :all OR r.tenant_id = ANY(:ids)")
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .query(Long.class).single();
    }

    boolean nameTaken(UUID tenantId, String name) {
        return jdbc.sql("SELECT count(*) FROM roles WHERE (tenant_id = ? OR builtin) AND name = ?")
                .params(tenantId, name).query(Long.class).single() > 0;
    }

    UUID insert(UUID tenantId, String name, String description) {
        return jdbc.sql("INSERT INTO roles (tenant_id, name, description) VALUES (?, ?, ?) RETURNING id")
                .params(tenantId, name, description).query(UUID.class).single();
    }

    void setPermissions(UUID roleId, List<Grant> grants) {
        jdbc.sql("DELETE FROM role_permissions WHERE role_id = ?").param(roleId).update();
        for (Grant g : grants) {
            jdbc.sql("INSERT INTO role_permissions (role_id, module, operation, scope) VALUES (?, ?, ?, ?)")
                    .params(roleId, g.module().name(), g.operation().name(), g.scope().name()).update();
        }
    }

    void updateDescription(UUID id, String description) {
        jdbc.sql("UPDATE roles SET description = COALESCE(?, description), updated_at = now(), version = version + 1"
                + " WHERE id = ?").params(description, id).update();
    }

    boolean inUse(UUID roleId) {
        return jdbc.sql("SELECT count(*) FROM memberships WHERE role_id = ?").param(roleId).query(Long.class)
                .single() > 0;
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM roles WHERE id = ?").param(id).update();
    }

    Optional<RoleDtos.MembershipResponse> findMembership(UUID id) {
        return jdbc.sql(MEMBERSHIP + " WHERE m.id = ?").param(id).query(RoleRepository::mapMembership).optional();
    }

    List<RoleDtos.MembershipResponse> listMemberships(TenantFilter filter, UUID tenant, UUID user, int limit,
                                                      int offset) {
        return jdbc.sql(MEMBERSHIP + " WHERE " + MEMBERSHIP_WHERE + " ORDER BY m.created_at, m.id"
                        + " LIMIT :limit OFFSET :offset")
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("tenant", tenant).param("user", user)
                .param("limit", limit).param("offset", offset)
                .query(RoleRepository::mapMembership).list();
    }

    long countMemberships(TenantFilter filter, UUID tenant, UUID user) {
        return jdbc.sql("SELECT count(*) FROM memberships m WHERE " + MEMBERSHIP_WHERE)
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("tenant", tenant).param("user", user)
                .query(Long.class).single();
    }

    private static final String MEMBERSHIP_WHERE = """
            (:all OR m.tenant_id = ANY(:ids))
            AND (CAST(:tenant AS uuid) IS NULL OR m.tenant_id = :tenant)
            AND (CAST(:user AS uuid) IS NULL OR m.user_id = :user)""";

    boolean membershipExists(UUID userId, UUID tenantId, UUID roleId) {
        return jdbc.sql("SELECT count(*) FROM memberships WHERE user_id = ? AND tenant_id = ? AND role_id = ?")
                .params(userId, tenantId, roleId).query(Long.class).single() > 0;
    }

    UUID insertMembership(UUID userId, UUID tenantId, UUID roleId, UUID createdBy) {
        return jdbc.sql("INSERT INTO memberships (user_id, tenant_id, role_id, created_by) VALUES (?, ?, ?, ?)"
                        + " RETURNING id")
                .params(userId, tenantId, roleId, createdBy).query(UUID.class).single();
    }

    void deleteMembership(UUID id) {
        jdbc.sql("DELETE FROM memberships WHERE id = ?").param(id).update();
    }

    /** The tenant a user belongs to, and whether the user exists (empty when not). */
    Optional<Optional<UUID>> tenantOfUser(UUID userId) {
        return jdbc.sql("SELECT tenant_id FROM users WHERE id = ?").param(userId)
                .query((rs, n) -> Optional.ofNullable(rs.getObject(1, UUID.class))).optional();
    }

    List<UUID> usersWithRole(UUID roleId) {
        return jdbc.sql("SELECT DISTINCT user_id FROM memberships WHERE role_id = ?").param(roleId)
                .query(UUID.class).list();
    }

    private static RoleDtos.RoleResponse mapRole(ResultSet rs, int n) throws SQLException {
        return new RoleDtos.RoleResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), rs.getBoolean(5), List.of((String[]) rs.getArray(6).getArray()),
                rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant());
    }

    private static RoleDtos.MembershipResponse mapMembership(ResultSet rs, int n) throws SQLException {
        return new RoleDtos.MembershipResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                rs.getObject(3, UUID.class), rs.getObject(4, UUID.class), rs.getString(5),
                rs.getTimestamp(6).toInstant());
    }
}

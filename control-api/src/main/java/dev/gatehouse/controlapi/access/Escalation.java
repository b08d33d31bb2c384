package dev.gatehouse.controlapi.access;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Nobody hands out or takes over more than they hold: a caller may grant a role, or change a
 * user, only when every permission involved is one the caller holds tenant-wide in that tenant.
 */
@Component
public class Escalation {

    private final JdbcClient jdbc;
    private final AccessPolicy access;

    Escalation(JdbcClient jdbc, AccessPolicy access) {
        this.jdbc = jdbc;
        this.access = access;
    }

    /** True when the caller holds, tenant-wide, every one of these grants in the tenant. */
    public boolean holdsAll(UUID tenantId, List<Grant> grants) {
        Caller caller = access.caller();
        return caller.platformAdmin() || grants.stream()
                .allMatch(g -> caller.scope(g.module(), g.operation(), tenantId) == Scope.TENANT);
    }

    /** The grants a role carries. */
    public List<Grant> grantsOfRole(UUID roleId) {
        return jdbc.sql("SELECT module, operation, scope FROM role_permissions WHERE role_id = ?")
                .param(roleId)
                .query((rs, n) -> new Grant(Module.valueOf(rs.getString(1)), Operation.valueOf(rs.getString(2)),
                        Scope.valueOf(rs.getString(3))))
                .list();
    }

    /** The grants a user holds in a tenant through memberships. */
    public List<Grant> grantsOfUser(UUID userId, UUID tenantId) {
        return jdbc.sql("""
                        SELECT p.module, p.operation, p.scope FROM memberships m
                        JOIN role_permissions p ON p.role_id = m.role_id
                        WHERE m.user_id = ? AND m.tenant_id = ?""")
                .params(userId, tenantId)
                .query((rs, n) -> new Grant(Module.valueOf(rs.getString(1)), Operation.valueOf(rs.getString(2)),
                        Scope.valueOf(rs.getString(3))))
                .list();
    }
}

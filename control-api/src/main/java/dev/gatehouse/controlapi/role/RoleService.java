package dev.gatehouse.controlapi.role;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Escalation;
import dev.gatehouse.controlapi.access.Grant;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.PolicyStore;
import dev.gatehouse.controlapi.access.Scope;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.auth.SessionService;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Roles (matrices over modules x operations) and memberships (user x tenant x role). Built-in roles
 * are read-only; custom roles belong to one tenant. A change takes effect on the next request: the
 * policy cache is retired, and a user whose roles changed has their sessions ended.
 */
@Service
class RoleService {

    private final RoleRepository roles;
    private final AccessPolicy access;
    private final Escalation escalation;
    private final AuditLog audit;
    private final PolicyStore policy;
    private final SessionService sessions;

    RoleService(RoleRepository roles, AccessPolicy access, Escalation escalation, AuditLog audit, PolicyStore policy,
                SessionService sessions) {
        this.roles = roles;
        this.access = access;
        this.escalation = escalation;
        this.audit = audit;
        this.policy = policy;
        this.sessions = sessions;
    }

    @Transactional(readOnly = true)
    Page<RoleDtos.RoleResponse> list(PageRequest page) {
        AccessPolicy.TenantFilter filter = access.filter(Module.ROLES);
        return roles.list(filter, page);
    }

    @Transactional(readOnly = true)
    RoleDtos.RoleResponse get(UUID id) {
        return visibleRole(id, Operation.READ);
    }

    @Transactional
    RoleDtos.RoleResponse create(RoleDtos.RoleCreateRequest request) {
        access.check(Module.ROLES, Operation.CREATE, request.tenantId(), null, "tenant");
        List<Grant> grants = parse(request.permissions());
        requireHeld(request.tenantId(), grants);
        if (roles.nameTaken(request.tenantId(), request.name())) {
            throw ApiException.conflict("a role named '" + request.name() + "' exists in this tenant");
        }
        UUID id = roles.insert(request.tenantId(), request.name(), request.description(), grants);
        RoleDtos.RoleResponse created = roles.find(id).orElseThrow();
        audit.record(request.tenantId(), "role.create", "role", id, null, created);
        return created;
    }

    @Transactional
    RoleDtos.RoleResponse update(UUID id, RoleDtos.RoleUpdateRequest request) {
        RoleDtos.RoleResponse before = visibleRole(id, Operation.UPDATE);
        List<Grant> grants = null;
        if (request.permissions() != null) {
            grants = parse(request.permissions());
            requireHeld(before.tenantId(), grants);
            requireHeld(before.tenantId(), escalation.grantsOfRole(id));
        }
        roles.update(id, grants, request.description());
        RoleDtos.RoleResponse after = roles.find(id).orElseThrow();
        audit.record(before.tenantId(), "role.update", "role", id, before, after);
        policy.invalidateAll();
        return after;
    }

    @Transactional
    void delete(UUID id) {
        RoleDtos.RoleResponse before = visibleRole(id, Operation.DELETE);
        if (roles.inUse(id)) {
            throw ApiException.conflict("the role is still held by members; remove their memberships first");
        }
        roles.delete(id);
        audit.record(before.tenantId(), "role.delete", "role", id, before, null);
        policy.invalidateAll();
    }

    @Transactional(readOnly = true)
    Page<RoleDtos.MembershipResponse> listMemberships(UUID tenant, UUID user, PageRequest page) {
        AccessPolicy.TenantFilter filter = access.filter(Module.ROLES);
        return roles.listMemberships(filter, tenant, user, page);
    }

    @Transactional
    RoleDtos.MembershipResponse createMembership(RoleDtos.MembershipCreateRequest request) {
        access.check(Module.ROLES, Operation.CREATE, request.tenantId(), null, "tenant");
        Optional<UUID> userTenant = roles.tenantOfUser(request.userId())
                .orElseThrow(() -> ApiException.notFound("user"));
        if (userTenant.isPresent() ? !userTenant.get().equals(request.tenantId())
                : !access.caller().platformAdmin()) {
            // A person of another tenant does not exist for this caller.
            throw ApiException.notFound("user");
        }
        RoleDtos.RoleResponse role = roles.find(request.roleId())
                .filter(r -> r.builtin() || request.tenantId().equals(r.tenantId()))
                .orElseThrow(() -> ApiException.notFound("role"));
        requireHeld(request.tenantId(), escalation.grantsOfRole(role.id()));
        if (roles.membershipExists(request.userId(), request.tenantId(), request.roleId())) {
            throw ApiException.conflict("the user already holds this role in this tenant");
        }
        UUID id = roles.insertMembership(request.userId(), request.tenantId(), request.roleId(),
                access.caller().userId());
        RoleDtos.MembershipResponse created = roles.findMembership(id).orElseThrow();
        sessions.endAllSessions(request.userId(), "roles changed");
        audit.record(request.tenantId(), "membership.create", "membership", id, null, created);
        return created;
    }

    @Transactional
    void deleteMembership(UUID id) {
        RoleDtos.MembershipResponse before = roles.findMembership(id)
                .orElseThrow(() -> ApiException.notFound("membership"));
        access.check(Module.ROLES, Operation.DELETE, before.tenantId(), null, "membership");
        requireHeld(before.tenantId(), escalation.grantsOfRole(before.roleId()));
        roles.deleteMembership(id);
        sessions.endAllSessions(before.userId(), "roles changed");
        audit.record(before.tenantId(), "membership.delete", "membership", id, before, null);
    }

    private RoleDtos.RoleResponse visibleRole(UUID id, Operation operation) {
        RoleDtos.RoleResponse role = roles.find(id).orElseThrow(() -> ApiException.notFound("role"));
        if (role.builtin()) {
            if (operation != Operation.READ) {
                throw ApiException.forbidden("built-in roles cannot be changed; create a custom role");
            }
            return role;
        }
        access.check(Module.ROLES, operation, role.tenantId(), null, "role");
        return role;
    }

    private void requireHeld(UUID tenantId, List<Grant> grants) {
        if (!escalation.holdsAll(tenantId, grants)) {
            throw ApiException.forbidden("you can only hand out permissions you hold in this tenant");
        }
    }

    private static List<Grant> parse(List<String> permissions) {
        return permissions.stream().map(p -> {
            String[] parts = p.trim().toUpperCase(Locale.ROOT).split(":");
            try {
                if (parts.length == 2 || (parts.length == 3 && parts[2].equals("SELF"))) {
                    return new Grant(Module.valueOf(parts[0]), Operation.valueOf(parts[1]),
                            parts.length == 3 ? Scope.SELF : Scope.TENANT);
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw ApiException.invalid("permissions", "'" + p + "' is not MODULE:OPERATION[:SELF]");
        }).distinct().toList();
    }
}

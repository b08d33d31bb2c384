package dev.gatehouse.controlapi.access;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.request.RequestContext;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The one place tenancy and permissions are decided. Services ask it before reading or changing a
 * tenant's object; an object in a tenant where the caller has no access does not exist for them
 * (404), one they may see but not change is forbidden (403).
 */
@Component
public class AccessPolicy {

    /** The authenticated caller of the current request. */
    public Caller caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Caller caller) {
            return caller;
        }
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "authentication is required");
    }

    /** Passes when the caller holds module/operation in at least one tenant; 403 otherwise. */
    public void requireAnywhere(Module module, Operation operation) {
        if (!caller().hasAnywhere(module, operation)) {
            throw ApiException.forbidden("your roles do not allow " + operation + " on " + module);
        }
    }

    /** Passes for platform admins only; 403 otherwise. */
    public void requirePlatformAdmin() {
        if (!caller().platformAdmin()) {
            throw ApiException.forbidden("only a platform administrator may do this");
        }
    }

    /**
     * Checks an operation on one object of a tenant. {@code ownerUserId} is the user the object
     * belongs to, for the self-service scope (null when the object belongs to nobody in particular).
     */
    public void check(Module module, Operation operation, UUID tenantId, UUID ownerUserId, String what) {
        RequestContext.logTenant(tenantId);
        Caller caller = caller();
        if (allows(caller, module, operation, tenantId, ownerUserId)) {
            return;
        }
        if (operation != Operation.READ && allows(caller, module, Operation.READ, tenantId, ownerUserId)) {
            throw ApiException.forbidden("your role does not allow " + operation + " on " + module + " here");
        }
        throw ApiException.notFound(what);
    }

    /** Whether the caller may read the object; for filters that must not throw. */
    public boolean canRead(Module module, UUID tenantId, UUID ownerUserId) {
        return allows(caller(), module, Operation.READ, tenantId, ownerUserId);
    }

    private static boolean allows(Caller caller, Module module, Operation operation, UUID tenantId, UUID owner) {
        Scope scope = caller.scope(module, operation, tenantId);
        if (scope == null) {
            return false;
        }
        return scope == Scope.TENANT || (owner != null && owner.equals(caller.userId()));
    }

    /** Which tenants a list query may return objects of, and whether it is restricted to the caller's own. */
    public TenantFilter filter(Module module) {
        Caller caller = caller();
        if (caller.platformAdmin()) {
            return TenantFilter.ALL;
        }
        Set<UUID> wide = caller.grants().entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(g -> g.module() == module
                        && g.operation() == Operation.READ && g.scope() == Scope.TENANT))
                .map(java.util.Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
        Set<UUID> self = caller.grants().entrySet().stream()
                .filter(e -> !wide.contains(e.getKey()))
                .filter(e -> e.getValue().stream().anyMatch(g -> g.module() == module
                        && g.operation() == Operation.READ && g.scope() == Scope.SELF))
                .map(java.util.Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
        return new TenantFilter(false, wide, self, caller.userId());
    }

    /**
     * The tenants a list may return, as a query needs them.
     *
     * @param all         platform admin: no restriction
     * @param tenantWide  tenants whose every object may be listed
     * @param selfOnly    tenants where only the caller's own objects may be listed
     */
    public record TenantFilter(boolean all, Set<UUID> tenantWide, Set<UUID> selfOnly, UUID userId) {
        static final TenantFilter ALL = new TenantFilter(true, Set.of(), Set.of(), null);

        public boolean isEmpty() {
            return !all && tenantWide.isEmpty() && selfOnly.isEmpty();
        }

        public UUID[] tenantWideArray() {
            return tenantWide.toArray(UUID[]::new);
        }

        public UUID[] selfOnlyArray() {
            return selfOnly.toArray(UUID[]::new);
        }
    }
}

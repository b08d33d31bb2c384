package dev.gatehouse.controlapi.access;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling and what they may do: a user's grants per tenant, narrowed to an API token's
 * scopes when the call came with one.
 *
 * @param sessionId  the login session of an access token; null for an API token
 * @param apiTokenId the API token used; null for an access token
 * @param grants     per tenant id, the grants the caller holds there
 */
public record Caller(UUID userId,
                     String username,
                     boolean platformAdmin,
                     UUID sessionId,
                     UUID apiTokenId,
                     Instant validAfter,
                     Map<UUID, Set<Grant>> grants) {

    public boolean has(Module module, Operation operation, UUID tenantId) {
        if (platformAdmin) {
            return true;
        }
        if (tenantId == null) {
            return false;
        }
        Set<Grant> inTenant = grants.getOrDefault(tenantId, Set.of());
        return inTenant.stream().anyMatch(g -> g.module() == module && g.operation() == operation);
    }

    /** The scope the caller holds for module/operation in the tenant, or null when none. */
    public Scope scope(Module module, Operation operation, UUID tenantId) {
        if (platformAdmin) {
            return Scope.TENANT;
        }
        if (tenantId == null) {
            return null;
        }
        Scope best = null;
        for (Grant g : grants.getOrDefault(tenantId, Set.of())) {
            if (g.module() == module && g.operation() == operation) {
                if (g.scope() == Scope.TENANT) {
                    return Scope.TENANT;
                }
                best = Scope.SELF;
            }
        }
        return best;
    }

    public boolean hasAnywhere(Module module, Operation operation) {
        return platformAdmin || grants.values().stream().flatMap(Set::stream)
                .anyMatch(g -> g.module() == module && g.operation() == operation);
    }

    /** An operator of the panel (not only a VPN end user): subject to the admin address allow-list. */
    public boolean isAdministrator() {
        return platformAdmin || grants.values().stream().flatMap(Set::stream).anyMatch(g -> g.scope() == Scope.TENANT);
    }
}

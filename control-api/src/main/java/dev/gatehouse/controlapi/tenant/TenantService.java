package dev.gatehouse.controlapi.tenant;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.PolicyStore;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import java.util.UUID;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEvent;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tenants: created and deleted by platform admins, read and renamed by their owners. */
@Service
class TenantService {

    private static final java.util.Map<String, String> SORTS = java.util.Map.of("name", "lower(name)",
            "slug", "slug", "created_at", "created_at", "status", "status");

    private final TenantRepository tenants;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final PolicyStore policy;
    private final DesiredState desired;

    TenantService(TenantRepository tenants, AccessPolicy access, AuditLog audit, PolicyStore policy,
                  DesiredState desired) {
        this.tenants = tenants;
        this.access = access;
        this.audit = audit;
        this.policy = policy;
        this.desired = desired;
    }

    @Transactional(readOnly = true)
    Page<TenantDtos.TenantResponse> list(String q, String status, String sort, PageRequest page) {
        String orderBy = SortOrder.orderBy(sort, SORTS, "name");
        AccessPolicy.TenantFilter filter = access.filter(Module.TENANTS);
        return new Page<>(tenants.list(filter, q, status, orderBy, page.limit(), page.offset()),
                tenants.count(filter, q, status), page);
    }

    @Transactional(readOnly = true)
    TenantDtos.TenantResponse get(UUID id) {
        access.check(Module.TENANTS, Operation.READ, id, null, "tenant");
        return tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant"));
    }

    @Transactional
    TenantDtos.TenantResponse create(TenantDtos.TenantCreateRequest request) {
        access.requirePlatformAdmin();
        if (tenants.nameOrSlugTaken(request.name().trim(), request.slug())) {
            throw ApiException.conflict("a tenant with this name or slug exists");
        }
        UUID id = tenants.insert(request.name().trim(), request.slug());
        TenantDtos.TenantResponse created = tenants.find(id).orElseThrow();
        audit.record(id, "tenant.create", "tenant", id, null, created);
        return created;
    }

    @Transactional
    TenantDtos.TenantResponse update(UUID id, TenantDtos.TenantUpdateRequest request) {
        access.check(Module.TENANTS, Operation.UPDATE, id, null, "tenant");
        if (request.status() != null) {
            access.requirePlatformAdmin();
        }
        TenantDtos.TenantResponse before = tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant"));
        tenants.update(id, request.name() == null ? null : request.name().trim(), request.status());
        TenantDtos.TenantResponse after = tenants.find(id).orElseThrow();
        audit.record(id, "tenant.update", "tenant", id, before, after);
        if (!before.status().equals(after.status())) {
            // A suspended tenant's people leave every node, and come back on resumption.
            desired.syncTenant(id);
        }
        if (request.status() != null) {
            policy.invalidateAll();
        }
        return after;
    }

    @Transactional
    void delete(UUID id) {
        access.check(Module.TENANTS, Operation.DELETE, id, null, "tenant");
        TenantDtos.TenantResponse before = tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant"));
        List<UUID> nodes = tenants.nodeIds(id);
        tenants.delete(id);
        nodes.forEach(node -> desired.closed(node, NodeEvent.Reason.DELETED));
        audit.record(id, "tenant.delete", "tenant", id, before, null);
        policy.invalidateAll();
    }
}

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
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.SearchText;
import dev.gatehouse.domain.model.TenantStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEvent;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tenants: created and deleted by platform admins, read and renamed by their owners. */
@Service
class TenantService {

    private static final Map<String, SortOrder.Field> SORTS = Map.of("name", SortOrder.Field.lowerCased("name"),
            "slug", SortOrder.Field.of("slug"), "created_at", SortOrder.Field.of("createdAt"),
            "status", SortOrder.Field.of("status"));

    private final TenantRepository tenants;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final PolicyStore policy;
    private final DesiredState desired;
    private final Clock clock;

    TenantService(TenantRepository tenants, AccessPolicy access, AuditLog audit, PolicyStore policy,
                  DesiredState desired, Clock clock) {
        this.clock = clock;
        this.tenants = tenants;
        this.access = access;
        this.audit = audit;
        this.policy = policy;
        this.desired = desired;
    }

    @Transactional(readOnly = true)
    Page<TenantDtos.TenantResponse> list(String q, TenantStatus status, String sort, PageRequest page) {
        Sort order = SortOrder.sort(sort, SORTS, "name");
        List<Specification<Tenant>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(access.filter(Module.TENANTS), "id", null));
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.or(cb.like(cb.lower(root.get("name")), pattern, '\\'),
                    cb.like(root.get("slug"), pattern, '\\')));
        }
        if (status != null) {
            where.add((root, query, cb) -> cb.equal(root.get("status"), status.db()));
        }
        Specification<Tenant> spec = Specification.allOf(where);
        var found = tenants.findAll(spec, OffsetPage.of(page, order));
        return new Page<>(found.getContent().stream().map(Tenant::response).toList(), found.getTotalElements(), page);
    }

    @Transactional(readOnly = true)
    TenantDtos.TenantResponse get(UUID id) {
        access.check(Module.TENANTS, Operation.READ, id, null, "tenant");
        return found(id).response();
    }

    @Transactional
    TenantDtos.TenantResponse create(TenantDtos.TenantCreateRequest request) {
        access.requirePlatformAdmin();
        if (tenants.existsByNameIgnoreCaseOrSlug(request.name().trim(), request.slug())) {
            throw ApiException.conflict("a tenant with this name or slug exists");
        }
        Tenant tenant = tenants.saveAndFlush(new Tenant(request.name().trim(), request.slug(), clock.instant()));
        TenantDtos.TenantResponse created = tenant.response();
        audit.record(tenant.id(), "tenant.create", "tenant", tenant.id(), null, created);
        return created;
    }

    @Transactional
    TenantDtos.TenantResponse update(UUID id, TenantDtos.TenantUpdateRequest request) {
        access.check(Module.TENANTS, Operation.UPDATE, id, null, "tenant");
        if (request.status() != null) {
            access.requirePlatformAdmin();
        }
        Tenant tenant = found(id);
        TenantDtos.TenantResponse before = tenant.response();
        TenantStatus was = tenant.status();
        if (request.name() != null) {
            tenant.rename(request.name().trim(), clock.instant());
        }
        if (request.status() != null) {
            tenant.setStatus(request.status(), clock.instant());
        }
        // Flushed before the desired state reads the tenant's status in SQL.
        TenantDtos.TenantResponse after = tenants.saveAndFlush(tenant).response();
        audit.record(id, "tenant.update", "tenant", id, before, after);
        if (was != tenant.status()) {
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
        TenantDtos.TenantResponse before = found(id).response();
        List<UUID> nodes = tenants.nodeIds(id);
        tenants.deleteById(id);
        tenants.flush();
        audit.record(id, "tenant.delete", "tenant", id, before, null);
        nodes.forEach(node -> desired.closed(node, NodeEvent.Reason.DELETED));
        policy.invalidateAll();
    }

    private Tenant found(UUID id) {
        return tenants.findById(id).orElseThrow(() -> ApiException.notFound("tenant"));
    }
}

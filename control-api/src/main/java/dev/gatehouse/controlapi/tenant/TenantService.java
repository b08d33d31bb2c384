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
import java.time.DateTimeException;
import java.time.ZoneId;
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

/** Tenants: created and deleted by platform admins, read, renamed and given a time zone by their owners. */
@Service
class TenantService {

    private static final Map<String, SortOrder.Field> SORTS = Map.of("name", SortOrder.Field.lowerCased("name"),
            "slug", SortOrder.Field.of("slug"), "created_at", SortOrder.Field.of("createdAt"),
            "status", SortOrder.Field.of("status"));

    private static final String DEFAULT_TIME_ZONE = "UTC";

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
        String zone = request.timeZone() == null ? DEFAULT_TIME_ZONE : checkedZone(request.timeZone());
        if (tenants.existsByNameIgnoreCaseOrSlug(request.name().trim(), request.slug())) {
            throw ApiException.conflict("a tenant with this name or slug exists");
        }
        Tenant tenant = tenants.saveAndFlush(new Tenant(request.name().trim(), request.slug(), zone, clock.instant()));
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
        if (request.timeZone() != null) {
            // A trigger moves the next reset of the tenant's subscriptions to the new calendar.
            tenant.setTimeZone(checkedZone(request.timeZone()), clock.instant());
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

    /**
     * The zone, when java.time and PostgreSQL (whose trigger computes the resets) both know it by
     * this very name. A name java.time rewrites (GMT+1 read as GMT+01:00) is refused: PostgreSQL
     * may read such a name with the opposite sign.
     */
    private String checkedZone(String zone) {
        boolean javaKnows;
        try {
            javaKnows = ZoneId.of(zone).getId().equals(zone);
        } catch (DateTimeException e) {
            javaKnows = false;
        }
        if (!javaKnows || !tenants.zoneKnown(zone)) {
            throw ApiException.invalid("time_zone", "must be an IANA time zone name such as UTC or Europe/Berlin");
        }
        return zone;
    }

    private Tenant found(UUID id) {
        return tenants.findById(id).orElseThrow(() -> ApiException.notFound("tenant"));
    }
}

package dev.gatehouse.controlapi.plan;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.engine.Engines;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.SearchText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Plans: what a tenant sells. A plan in use cannot be deleted. */
@Service
class PlanService {

    private static final Map<String, SortOrder.Field> SORTS = Map.of("name", SortOrder.Field.lowerCased("name"),
            "created_at", SortOrder.Field.of("createdAt"), "quota_bytes", SortOrder.Field.of("quotaBytes"),
            "duration_days", SortOrder.Field.of("durationDays"));

    private final PlanRepository plans;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Clock clock;

    PlanService(PlanRepository plans, AccessPolicy access, AuditLog audit, Clock clock) {
        this.clock = clock;
        this.plans = plans;
        this.access = access;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    Page<PlanDtos.PlanResponse> list(UUID tenant, String q, String engine, String sort, PageRequest page) {
        Sort order = SortOrder.sort(sort, SORTS, "name");
        String engineFilter = engine == null ? null : Engines.parse("engine", List.of(engine)).get(0);
        List<Specification<Plan>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(access.filter(Module.PLANS), "tenantId", null));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.like(cb.lower(root.get("name")), pattern, '\\'));
        }
        if (engineFilter != null) {
            // Hibernate's array_position: the 1-based position, 0 (or null) when absent.
            where.add((root, query, cb) -> cb.greaterThan(cb.function("array_position", Integer.class,
                    root.get("engines"), cb.literal(engineFilter)), 0));
        }
        var found = plans.findAll(Specification.allOf(where), OffsetPage.of(page, order));
        return new Page<>(found.getContent().stream().map(Plan::response).toList(), found.getTotalElements(), page);
    }

    @Transactional(readOnly = true)
    PlanDtos.PlanResponse get(UUID id) {
        return visible(id, Operation.READ).response();
    }

    @Transactional
    PlanDtos.PlanResponse create(PlanDtos.PlanCreateRequest request) {
        access.check(Module.PLANS, Operation.CREATE, request.tenantId(), null, "tenant");
        List<String> engines = Engines.parse("engines", request.engines());
        checkRules(request.tenantId(), request.startOnFirstUse(), request.onHoldDays(), request.nextPlanId(), null);
        if (plans.nameTaken(request.tenantId(), request.name().trim(), null)) {
            throw ApiException.conflict("a plan named '" + request.name().trim() + "' exists in this tenant");
        }
        Plan plan = plans.saveAndFlush(new Plan(request.tenantId(), request, engines, clock.instant()));
        PlanDtos.PlanResponse created = plan.response();
        audit.record(request.tenantId(), "plan.create", "plan", plan.id(), null, created);
        return created;
    }

    @Transactional
    PlanDtos.PlanResponse update(UUID id, PlanDtos.PlanUpdateRequest request) {
        Plan plan = visible(id, Operation.UPDATE);
        PlanDtos.PlanResponse before = plan.response();
        List<String> engines = request.engines() == null ? null : Engines.parse("engines", request.engines());
        boolean startOnFirstUse = request.startOnFirstUse() != null ? request.startOnFirstUse() : before.startOnFirstUse();
        Integer onHoldDays = request.onHoldDays() != null ? request.onHoldDays() : before.onHoldDays();
        checkRules(before.tenantId(), startOnFirstUse, onHoldDays, request.nextPlanId(), id);
        if (request.name() != null && plans.nameTaken(before.tenantId(), request.name().trim(), id)) {
            throw ApiException.conflict("a plan named '" + request.name().trim() + "' exists in this tenant");
        }
        plan.update(request, engines, clock.instant());
        PlanDtos.PlanResponse after = plans.saveAndFlush(plan).response();
        audit.record(before.tenantId(), "plan.update", "plan", id, before, after);
        return after;
    }

    @Transactional
    void delete(UUID id) {
        PlanDtos.PlanResponse before = visible(id, Operation.DELETE).response();
        if (plans.inUse(id)) {
            throw ApiException.conflict("the plan is still used by subscriptions or as another plan's next plan;"
                    + " move them to another plan first");
        }
        plans.deleteById(id);
        plans.flush();
        audit.record(before.tenantId(), "plan.delete", "plan", id, before, null);
    }

    private void checkRules(UUID tenantId, Boolean startOnFirstUse, Integer onHoldDays, UUID nextPlanId, UUID self) {
        if (Boolean.TRUE.equals(startOnFirstUse) && onHoldDays == null) {
            throw ApiException.invalid("on_hold_days", "is required when start_on_first_use is true");
        }
        if (nextPlanId != null) {
            if (nextPlanId.equals(self)) {
                throw ApiException.invalid("next_plan_id", "must be another plan");
            }
            Plan next = plans.findById(nextPlanId).orElseThrow(() -> ApiException.notFound("next plan"));
            if (!next.tenantId().equals(tenantId)) {
                throw ApiException.notFound("next plan");
            }
        }
    }

    private Plan visible(UUID id, Operation operation) {
        Plan plan = plans.findById(id).orElseThrow(() -> ApiException.notFound("plan"));
        access.check(Module.PLANS, operation, plan.tenantId(), null, "plan");
        return plan;
    }
}

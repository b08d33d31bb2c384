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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Plans: what a tenant sells. A plan in use cannot be deleted. */
@Service
class PlanService {

    private static final Map<String, String> SORTS = Map.of("name", "lower(p.name)", "created_at", "p.created_at",
            "quota_bytes", "p.quota_bytes", "duration_days", "p.duration_days");

    private final PlanRepository plans;
    private final AccessPolicy access;
    private final AuditLog audit;

    PlanService(PlanRepository plans, AccessPolicy access, AuditLog audit) {
        this.plans = plans;
        this.access = access;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    Page<PlanDtos.PlanResponse> list(UUID tenant, String q, String engine, String sort, PageRequest page) {
        access.checkTenantFilter(Module.PLANS, tenant);
        String orderBy = SortOrder.orderBy(sort, SORTS, "name");
        String engineFilter = engine == null ? null : Engines.parse("engine", List.of(engine)).get(0);
        AccessPolicy.TenantFilter filter = access.filter(Module.PLANS);
        return new Page<>(plans.list(filter, tenant, q, engineFilter, orderBy, page.limit(), page.offset()),
                plans.count(filter, tenant, q, engineFilter), page);
    }

    @Transactional(readOnly = true)
    PlanDtos.PlanResponse get(UUID id) {
        return visible(id, Operation.READ);
    }

    @Transactional
    PlanDtos.PlanResponse create(PlanDtos.PlanCreateRequest request) {
        access.check(Module.PLANS, Operation.CREATE, request.tenantId(), null, "tenant");
        List<String> engines = Engines.parse("engines", request.engines());
        checkRules(request.tenantId(), request.startOnFirstUse(), request.onHoldDays(), request.nextPlanId(), null);
        if (plans.nameTaken(request.tenantId(), request.name().trim(), null)) {
            throw ApiException.conflict("a plan named '" + request.name().trim() + "' exists in this tenant");
        }
        UUID id = plans.insert(request.tenantId(), request, engines);
        PlanDtos.PlanResponse created = plans.find(id).orElseThrow();
        audit.record(request.tenantId(), "plan.create", "plan", id, null, created);
        return created;
    }

    @Transactional
    PlanDtos.PlanResponse update(UUID id, PlanDtos.PlanUpdateRequest request) {
        PlanDtos.PlanResponse before = visible(id, Operation.UPDATE);
        List<String> engines = request.engines() == null ? null : Engines.parse("engines", request.engines());
        boolean startOnFirstUse = request.startOnFirstUse() != null ? request.startOnFirstUse() : before.startOnFirstUse();
        Integer onHoldDays = request.onHoldDays() != null ? request.onHoldDays() : before.onHoldDays();
        checkRules(before.tenantId(), startOnFirstUse, onHoldDays, request.nextPlanId(), id);
        if (request.name() != null && plans.nameTaken(before.tenantId(), request.name().trim(), id)) {
            throw ApiException.conflict("a plan named '" + request.name().trim() + "' exists in this tenant");
        }
        plans.update(id, request, engines);
        PlanDtos.PlanResponse after = plans.find(id).orElseThrow();
        audit.record(before.tenantId(), "plan.update", "plan", id, before, after);
        return after;
    }

    @Transactional
    void delete(UUID id) {
        PlanDtos.PlanResponse before = visible(id, Operation.DELETE);
        if (plans.inUse(id)) {
            throw ApiException.conflict("the plan is still used by subscriptions or as another plan's next plan;"
                    + " move them to another plan first");
        }
        plans.delete(id);
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
            PlanDtos.PlanResponse next = plans.find(nextPlanId).orElseThrow(() -> ApiException.notFound("next plan"));
            if (!next.tenantId().equals(tenantId)) {
                throw ApiException.notFound("next plan");
            }
        }
    }

    private PlanDtos.PlanResponse visible(UUID id, Operation operation) {
        PlanDtos.PlanResponse plan = plans.find(id).orElseThrow(() -> ApiException.notFound("plan"));
        access.check(Module.PLANS, operation, plan.tenantId(), null, "plan");
        return plan;
    }
}

package dev.gatehouse.controlapi.plan;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** /plans: what a tenant sells. */
@RestController
class PlanController {

    private final PlanService service;

    PlanController(PlanService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List plans (filter: tenant_id, q, engine; sort: name, created_at, quota_bytes, duration_days)")
    @GetMapping("/plans")
    @RequiresPermission(module = Module.PLANS, operation = Operation.READ)
    Page<PlanDtos.PlanResponse> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                     @RequestParam(required = false) @Size(max = 100) String q,
                                     @RequestParam(required = false) @Size(max = 20) String engine,
                                     @RequestParam(required = false) @Size(max = 40) String sort,
                                     @Valid PageRequest page) {
        return service.list(tenantId, q, engine, sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a plan")
    @PostMapping("/plans")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.PLANS, operation = Operation.CREATE)
    PlanDtos.PlanResponse create(@Valid @RequestBody PlanDtos.PlanCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a plan")
    @GetMapping("/plans/{id}")
    @RequiresPermission(module = Module.PLANS, operation = Operation.READ)
    PlanDtos.PlanResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change a plan (existing subscriptions keep their terms)")
    @PatchMapping("/plans/{id}")
    @RequiresPermission(module = Module.PLANS, operation = Operation.UPDATE)
    PlanDtos.PlanResponse update(@PathVariable UUID id, @Valid @RequestBody PlanDtos.PlanUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a plan no subscription uses")
    @DeleteMapping("/plans/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.PLANS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }
}

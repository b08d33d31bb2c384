package dev.gatehouse.controlapi.tenant;

import dev.gatehouse.domain.model.TenantStatus;
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

/** /tenants. */
@RestController
class TenantController {

    private final TenantService service;

    TenantController(TenantService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List the tenants the caller may see (filter: q, status)")
    @GetMapping("/tenants")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.READ)
    Page<TenantDtos.TenantResponse> list(@RequestParam(required = false) @Size(max = 100) String q,
                                         @RequestParam(required = false) TenantStatus status,
                                         @RequestParam(required = false) @Size(max = 40) String sort,
                                         @Valid PageRequest page) {
        return service.list(q, status, sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a tenant (platform admins)")
    @PostMapping("/tenants")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.TENANTS, operation = Operation.CREATE)
    TenantDtos.TenantResponse create(@Valid @RequestBody TenantDtos.TenantCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a tenant")
    @GetMapping("/tenants/{id}")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.READ)
    TenantDtos.TenantResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rename a tenant, change its time zone (usage periods follow its calendar), or suspend it (platform admins)")
    @PatchMapping("/tenants/{id}")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.UPDATE)
    TenantDtos.TenantResponse update(@PathVariable UUID id, @Valid @RequestBody TenantDtos.TenantUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a tenant and everything in it (platform admins)")
    @DeleteMapping("/tenants/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.TENANTS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }
}

package dev.gatehouse.controlapi.tenant;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
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

@RestController
class TenantController {

    private final TenantService service;

    TenantController(TenantService service) {
        this.service = service;
    }

    @GetMapping("/tenants")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.READ)
    Page<TenantDtos.TenantResponse> list(@RequestParam(required = false) @Size(max = 100) String q,
                                         @RequestParam(required = false)
                                         @Pattern(regexp = "^(active|suspended)$") String status,
                                         @Valid PageRequest page) {
        return service.list(q, status, page);
    }

    @PostMapping("/tenants")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.TENANTS, operation = Operation.CREATE)
    TenantDtos.TenantResponse create(@Valid @RequestBody TenantDtos.TenantCreateRequest request) {
        return service.create(request);
    }

    @GetMapping("/tenants/{id}")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.READ)
    TenantDtos.TenantResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @PatchMapping("/tenants/{id}")
    @RequiresPermission(module = Module.TENANTS, operation = Operation.UPDATE)
    TenantDtos.TenantResponse update(@PathVariable UUID id, @Valid @RequestBody TenantDtos.TenantUpdateRequest request) {
        return service.update(id, request);
    }

    @DeleteMapping("/tenants/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.TENANTS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }
}

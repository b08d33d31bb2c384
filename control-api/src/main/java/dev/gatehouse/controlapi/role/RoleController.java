package dev.gatehouse.controlapi.role;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
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
class RoleController {

    private final RoleService service;

    RoleController(RoleService service) {
        this.service = service;
    }

    @GetMapping("/roles")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    Page<RoleDtos.RoleResponse> list(@Valid PageRequest page) {
        return service.list(page);
    }

    @PostMapping("/roles")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.ROLES, operation = Operation.CREATE)
    RoleDtos.RoleResponse create(@Valid @RequestBody RoleDtos.RoleCreateRequest request) {
        return service.create(request);
    }

    @GetMapping("/roles/{id}")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    RoleDtos.RoleResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @PatchMapping("/roles/{id}")
    @RequiresPermission(module = Module.ROLES, operation = Operation.UPDATE)
    RoleDtos.RoleResponse update(@PathVariable UUID id, @Valid @RequestBody RoleDtos.RoleUpdateRequest request) {
        return service.update(id, request);
    }

    @DeleteMapping("/roles/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.ROLES, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    @GetMapping("/memberships")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    Page<RoleDtos.MembershipResponse> memberships(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                                  @RequestParam(name = "user_id", required = false) UUID userId,
                                                  @Valid PageRequest page) {
        return service.listMemberships(tenantId, userId, page);
    }

    @PostMapping("/memberships")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.ROLES, operation = Operation.CREATE)
    RoleDtos.MembershipResponse createMembership(@Valid @RequestBody RoleDtos.MembershipCreateRequest request) {
        return service.createMembership(request);
    }

    @DeleteMapping("/memberships/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.ROLES, operation = Operation.DELETE)
    void deleteMembership(@PathVariable UUID id) {
        service.deleteMembership(id);
    }
}

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

/** /roles and /memberships (seed v0.1.1): RBAC as data. */
@RestController
class RoleController {

    private final RoleService service;

    RoleController(RoleService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List built-in and custom roles")
    @GetMapping("/roles")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    Page<RoleDtos.RoleResponse> list(@Valid PageRequest page) {
        return service.list(page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a custom role of a tenant")
    @PostMapping("/roles")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.ROLES, operation = Operation.CREATE)
    RoleDtos.RoleResponse create(@Valid @RequestBody RoleDtos.RoleCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a role and its permission matrix")
    @GetMapping("/roles/{id}")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    RoleDtos.RoleResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change a custom role's description or permissions")
    @PatchMapping("/roles/{id}")
    @RequiresPermission(module = Module.ROLES, operation = Operation.UPDATE)
    RoleDtos.RoleResponse update(@PathVariable UUID id, @Valid @RequestBody RoleDtos.RoleUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a custom role nobody holds")
    @DeleteMapping("/roles/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.ROLES, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List memberships (filter: tenant_id, user_id)")
    @GetMapping("/memberships")
    @RequiresPermission(module = Module.ROLES, operation = Operation.READ)
    Page<RoleDtos.MembershipResponse> listMemberships(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                                  @RequestParam(name = "user_id", required = false) UUID userId,
                                                  @Valid PageRequest page) {
        return service.listMemberships(tenantId, userId, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Give a person a role in a tenant (ends their sessions)")
    @PostMapping("/memberships")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.ROLES, operation = Operation.CREATE)
    RoleDtos.MembershipResponse createMembership(@Valid @RequestBody RoleDtos.MembershipCreateRequest request) {
        return service.createMembership(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Take a role away (ends the person's sessions)")
    @DeleteMapping("/memberships/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.ROLES, operation = Operation.DELETE)
    void deleteMembership(@PathVariable UUID id) {
        service.deleteMembership(id);
    }
}

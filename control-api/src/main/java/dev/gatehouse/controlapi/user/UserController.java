package dev.gatehouse.controlapi.user;

import dev.gatehouse.domain.model.UserStatus;
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

/** /users: people, who may or may not sign in. */
@RestController
class UserController {

    private final UserService service;

    UserController(UserService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List people (filter: tenant_id, status, q)")
    @GetMapping("/users")
    @RequiresPermission(module = Module.USERS, operation = Operation.READ)
    Page<UserDtos.UserResponse> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                     @RequestParam(required = false) UserStatus status,
                                     @RequestParam(required = false) @Size(max = 100) String q,
                                     @RequestParam(required = false) @Size(max = 40) String sort,
                                     @Valid PageRequest page) {
        return service.list(tenantId, status, q, sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a person; with a password they can sign in")
    @PostMapping("/users")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.USERS, operation = Operation.CREATE)
    UserDtos.UserResponse create(@Valid @RequestBody UserDtos.UserCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a person")
    @GetMapping("/users/{id}")
    @RequiresPermission(module = Module.USERS, operation = Operation.READ)
    UserDtos.UserResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change a person's email, display name, note or status (disabling ends their sessions and service)")
    @PatchMapping("/users/{id}")
    @RequiresPermission(module = Module.USERS, operation = Operation.UPDATE)
    UserDtos.UserResponse update(@PathVariable UUID id, @Valid @RequestBody UserDtos.UserUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Set a person's password (ends their sessions)")
    @PostMapping("/users/{id}/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.USERS, operation = Operation.UPDATE)
    void resetPassword(@PathVariable UUID id, @Valid @RequestBody UserDtos.PasswordResetRequest request) {
        service.resetPassword(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a person and their subscriptions")
    @DeleteMapping("/users/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.USERS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }
}

package dev.gatehouse.controlapi.engine;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** /users/{id}/engines: the per-user engine override. */
@RestController
class EngineOverrideController {

    /** An empty list allows no engine at all. */
    record EnginesRequest(@NotNull @Size(max = 2) List<@NotBlank String> engines) {
    }

    private final EngineOverrideService service;

    EngineOverrideController(EngineOverrideService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a person's engine override")
    @GetMapping("/users/{id}/engines")
    @RequiresPermission(module = Module.USERS, operation = Operation.READ)
    EngineOverrideService.EnginesResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Set the engines a person may use across their subscriptions")
    @PostMapping("/users/{id}/engines")
    @RequiresPermission(module = Module.USERS, operation = Operation.UPDATE)
    EngineOverrideService.EnginesResponse setEngineOverride(@PathVariable UUID id, @Valid @RequestBody EnginesRequest request) {
        return service.set(id, request.engines());
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Remove a person's engine override")
    @DeleteMapping("/users/{id}/engines")
    @RequiresPermission(module = Module.USERS, operation = Operation.UPDATE)
    EngineOverrideService.EnginesResponse clearEngineOverride(@PathVariable UUID id) {
        return service.clear(id);
    }
}

package dev.gatehouse.controlapi.node;

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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class NodeController {

    private final NodeService service;

    NodeController(NodeService service) {
        this.service = service;
    }

    @GetMapping("/nodes")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    Page<NodeDtos.NodeResponse> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                     @RequestParam(required = false)
                                     @Pattern(regexp = "^(pending|online|degraded|offline|disabled)$") String status,
                                     @RequestParam(required = false) @Size(max = 64) String tag,
                                     @RequestParam(required = false) @Size(max = 100) String q,
                                     @RequestParam(required = false) @Size(max = 40) String sort,
                                     @Valid PageRequest page) {
        return service.list(tenantId, status, tag, q, sort, page);
    }

    @PostMapping("/nodes")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.NODES, operation = Operation.CREATE)
    NodeDtos.NodeCreated create(@Valid @RequestBody NodeDtos.NodeCreateRequest request) {
        return service.create(request);
    }

    @GetMapping("/nodes/{id}")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.NodeResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @PatchMapping("/nodes/{id}")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse update(@PathVariable UUID id, @Valid @RequestBody NodeDtos.NodeUpdateRequest request) {
        return service.update(id, request);
    }

    @PostMapping("/nodes/{id}/disable")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse disable(@PathVariable UUID id) {
        return service.disable(id);
    }

    @PostMapping("/nodes/{id}/enable")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse enable(@PathVariable UUID id) {
        return service.enable(id);
    }

    @DeleteMapping("/nodes/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.NODES, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    @GetMapping("/nodes/{id}/policy")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.PolicyResponse policy(@PathVariable UUID id) {
        return service.policy(id);
    }

    @PutMapping("/nodes/{id}/policy")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.PolicyResponse savePolicy(@PathVariable UUID id, @Valid @RequestBody NodeDtos.PolicyRequest request) {
        return service.savePolicy(id, request);
    }

    @GetMapping("/nodes/{id}/health")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.HealthResponse health(@PathVariable UUID id) {
        return service.health(id);
    }
}

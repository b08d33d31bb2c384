package dev.gatehouse.controlapi.node;

import dev.gatehouse.domain.model.NodeStatus;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** /nodes: edge servers, their policy documents and health. */
@RestController
class NodeController {

    private final NodeService service;

    NodeController(NodeService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List nodes (filter: tenant_id, status, tag, q; sort: name, created_at, status, last_seen_at, capacity)")
    @GetMapping("/nodes")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    Page<NodeDtos.NodeResponse> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                     @RequestParam(required = false) NodeStatus status,
                                     @RequestParam(required = false) @Size(max = 64) String tag,
                                     @RequestParam(required = false) @Size(max = 100) String q,
                                     @RequestParam(required = false) @Size(max = 40) String sort,
                                     @Valid PageRequest page) {
        return service.list(tenantId, status, tag, q, sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a node; answers its one-time enrollment token (shown once)")
    @PostMapping("/nodes")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.NODES, operation = Operation.CREATE)
    NodeDtos.NodeCreated create(@Valid @RequestBody NodeDtos.NodeCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a node")
    @GetMapping("/nodes/{id}")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.NodeResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change a node's name, address, tags, capacity, coefficient or engines")
    @PatchMapping("/nodes/{id}")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse update(@PathVariable UUID id, @Valid @RequestBody NodeDtos.NodeUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Take a node out of service; its subscriptions move to other nodes")
    @PostMapping("/nodes/{id}/disable")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse disableNode(@PathVariable UUID id) {
        return service.disable(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Issue a new one-time enrollment token (earlier unused ones expire), e.g. to re-enrol a node")
    @PostMapping("/nodes/{id}/enrollment-token")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.EnrollmentToken newEnrollmentToken(@PathVariable UUID id) {
        return service.newEnrollmentToken(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Put a disabled node back in service")
    @PostMapping("/nodes/{id}/enable")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.NodeResponse enableNode(@PathVariable UUID id) {
        return service.enable(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a node; its subscriptions move to other nodes")
    @DeleteMapping("/nodes/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.NODES, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read the node's opaque policy document")
    @GetMapping("/nodes/{id}/policy")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.PolicyResponse policy(@PathVariable UUID id) {
        return service.policy(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Replace the node's opaque policy document")
    @PutMapping("/nodes/{id}/policy")
    @RequiresPermission(module = Module.NODES, operation = Operation.UPDATE)
    NodeDtos.PolicyResponse savePolicy(@PathVariable UUID id, @Valid @RequestBody NodeDtos.PolicyRequest request) {
        return service.savePolicy(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Node health: session, last seen, desired vs applied revision, core versions")
    @GetMapping("/nodes/{id}/health")
    @RequiresPermission(module = Module.NODES, operation = Operation.READ)
    NodeDtos.HealthResponse health(@PathVariable UUID id) {
        return service.health(id);
    }
}

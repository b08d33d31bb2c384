package dev.gatehouse.controlapi.enrollment;

import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** /nodes/ca: the CAs of node identities and their rotation, for platform admins (checked by the service). */
@RestController
class NodeCaController {

    private final NodeCaService service;

    NodeCaController(NodeCaService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List the node CAs, newest first, with their rotation state (platform admins)")
    @GetMapping("/nodes/ca")
    @AuthenticatedRoute
    Page<NodeCaDtos.NodeCaResponse> list(@Valid PageRequest page) {
        return service.list(page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rotation step 1: stage a new node CA, trusted and in every CA bundle from now on but not issuing; 409 while another is staged (platform admins)")
    @PostMapping("/nodes/ca/stage")
    @ResponseStatus(HttpStatus.CREATED)
    @AuthenticatedRoute
    NodeCaDtos.NodeCaResponse stageNodeCa() {
        return service.stage();
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rotation step 2: the CA issues from now on, the previous one stays trusted; 409 with certificate_count, node_count and last_expiry while certificates issued before it was staged are unexpired and unrevoked, unless force=true (platform admins)")
    @PostMapping("/nodes/ca/{id}/promote")
    @AuthenticatedRoute
    NodeCaDtos.NodeCaResponse promoteNodeCa(
            @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.Parameter(description = "promote even though nodes may not trust the CA yet")
            @RequestParam(defaultValue = "false") boolean force) {
        return service.promote(id, force);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rotation step 3: the CA leaves every bundle and its certificates are refused; 409 for the issuing CA, and with certificate_count, node_count and last_expiry while certificates it issued are unexpired and unrevoked, unless force=true (platform admins)")
    @PostMapping("/nodes/ca/{id}/retire")
    @AuthenticatedRoute
    NodeCaDtos.NodeCaResponse retireNodeCa(
            @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.Parameter(description = "retire even though nodes still hold certificates it issued")
            @RequestParam(defaultValue = "false") boolean force) {
        return service.retire(id, force);
    }
}

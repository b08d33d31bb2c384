package dev.gatehouse.controlapi.webhook;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
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

/** /webhooks: where a tenant's notifications are delivered, and how each delivery went. */
@RestController
class WebhookController {

    private final WebhookService service;

    WebhookController(WebhookService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List webhooks (filter: tenant_id, q; sort: name, created_at, updated_at)")
    @GetMapping("/webhooks")
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.READ)
    Page<WebhookDtos.WebhookResponse> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                           @RequestParam(required = false) @Size(max = 100) String q,
                                           @RequestParam(required = false) @Size(max = 40) String sort,
                                           @Valid PageRequest page) {
        return service.list(tenantId, q, sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a webhook; answers its signing secret (shown once)")
    @PostMapping("/webhooks")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.CREATE)
    WebhookDtos.WebhookWithSecret create(@Valid @RequestBody WebhookDtos.WebhookCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a webhook")
    @GetMapping("/webhooks/{id}")
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.READ)
    WebhookDtos.WebhookResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change a webhook's name, URL, events or whether it is enabled")
    @PatchMapping("/webhooks/{id}")
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.UPDATE)
    WebhookDtos.WebhookResponse update(@PathVariable UUID id,
                                       @Valid @RequestBody WebhookDtos.WebhookUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Replace a webhook's signing secret; answers the new one (shown once)")
    @PostMapping("/webhooks/{id}/secret")
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.UPDATE)
    WebhookDtos.WebhookWithSecret rotateWebhookSecret(@PathVariable UUID id) {
        return service.rotateSecret(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a webhook and its deliveries")
    @DeleteMapping("/webhooks/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List a webhook's deliveries, newest first (filter: status)")
    @GetMapping("/webhooks/{id}/deliveries")
    @RequiresPermission(module = Module.WEBHOOKS, operation = Operation.READ)
    Page<WebhookDtos.WebhookDelivery> listWebhookDeliveries(
            @PathVariable UUID id,
            @Parameter(schema = @Schema(implementation = WebhookDeliveryStatus.class))
            @RequestParam(required = false) @Size(max = 20) String status,
            @Valid PageRequest page) {
        return service.deliveries(id, status, page);
    }
}

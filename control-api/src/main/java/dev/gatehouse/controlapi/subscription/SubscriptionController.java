package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.domain.model.SubscriptionState;
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

/** /subscriptions: lifecycle, transitions and bulk operations; /users/bulk. */
@RestController
class SubscriptionController {

    private final SubscriptionService service;
    private final SubscriptionTransitions transitions;
    private final SubscriptionTokens tokens;
    private final SubscriptionBulk bulk;

    SubscriptionController(SubscriptionService service, SubscriptionTransitions transitions, SubscriptionTokens tokens,
                           SubscriptionBulk bulk) {
        this.service = service;
        this.transitions = transitions;
        this.tokens = tokens;
        this.bulk = bulk;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List subscriptions (filter: tenant_id, state, plan_id, user_id, node_id, tag, q, degraded; sort: created_at, expires_at, state, used_bytes)")
    @GetMapping("/subscriptions")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.READ)
    Page<SubscriptionDtos.SubscriptionResponse> list(
            @RequestParam(name = "tenant_id", required = false) UUID tenantId,
            @RequestParam(required = false) SubscriptionState state,
            @RequestParam(name = "plan_id", required = false) UUID planId,
            @RequestParam(name = "user_id", required = false) UUID userId,
            @RequestParam(name = "node_id", required = false) UUID nodeId,
            @RequestParam(required = false) @Size(max = 64) String tag,
            @RequestParam(required = false) @Size(max = 100) String q,
            @io.swagger.v3.oas.annotations.Parameter(description = "true: live subscriptions on no node or on an offline one")
            @RequestParam(required = false) Boolean degraded,
            @RequestParam(required = false) @Size(max = 40) String sort,
            @Valid PageRequest page) {
        return service.list(new SubscriptionRepository.Filter(tenantId, state, planId, userId, nodeId, tag, q,
                degraded), sort, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Subscribe a person to a plan: credentials per engine, nodes by strategy, subscription token (shown once)")
    @PostMapping("/subscriptions")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.CREATE)
    SubscriptionDtos.SubscriptionCreated create(@Valid @RequestBody SubscriptionDtos.SubscriptionCreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read a subscription")
    @GetMapping("/subscriptions/{id}")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.READ)
    SubscriptionDtos.SubscriptionResponse get(@PathVariable UUID id) {
        return service.get(id);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change quota, expiry, engines or next plan")
    @PatchMapping("/subscriptions/{id}")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.SubscriptionResponse update(@PathVariable UUID id,
                                                 @Valid @RequestBody SubscriptionDtos.SubscriptionUpdateRequest request) {
        return service.update(id, request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Put the subscription on nodes again by a strategy")
    @PostMapping("/subscriptions/{id}/reassign")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.SubscriptionResponse reassign(@PathVariable UUID id,
                                                   @Valid @RequestBody SubscriptionDtos.ReassignRequest request) {
        return service.reassign(id, request);
    }

    /** suspend, resume, disable, enable or activate (an on-hold subscription starts now). */
    @io.swagger.v3.oas.annotations.Operation(summary = "Suspend, resume, disable, enable, or activate (start an on-hold subscription now)")
    @PostMapping("/subscriptions/{id}/{action:suspend|resume|disable|enable|activate}")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.SubscriptionResponse transition(@PathVariable UUID id, @PathVariable String action,
                                                     @Valid @RequestBody(required = false)
                                                     SubscriptionDtos.TransitionRequest request) {
        return transitions.transition(id, action, request == null ? null : request.reason());
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Reset the period's usage (lifetime usage is kept)")
    @PostMapping("/subscriptions/{id}/reset-usage")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.SubscriptionResponse resetUsage(@PathVariable UUID id) {
        return transitions.resetUsage(id);
    }

    /** Revoke: new credentials and subscription token; the old ones stop working everywhere. */
    @io.swagger.v3.oas.annotations.Operation(summary = "New credentials and subscription token; the old ones stop working everywhere")
    @PostMapping("/subscriptions/{id}/revoke")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.SubscriptionCreated revokeSubscriptionToken(@PathVariable UUID id) {
        return tokens.revoke(id);
    }

    /** The kept subscription token and link path, when the operator set a data key. */
    record TokenResponse(String subscriptionToken, String path) {
    }

    @GetMapping("/subscriptions/{id}/token")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.READ)
    @io.swagger.v3.oas.annotations.Operation(summary = "The subscription token again (kept only with"
            + " GATEHOUSE_DATA_KEY; 404 otherwise)")
    TokenResponse subscriptionToken(@PathVariable UUID id) {
        String token = tokens.token(id);
        return new TokenResponse(token, "/sub/" + token);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Delete a subscription")
    @DeleteMapping("/subscriptions/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.DELETE)
    void delete(@PathVariable UUID id) {
        service.delete(id);
    }

    /** Bulk: people and their subscriptions from one template, all or nothing. */
    @io.swagger.v3.oas.annotations.Operation(summary = "Create people with subscriptions from one template, all or nothing")
    @PostMapping("/users/bulk")
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresPermission(module = Module.USERS, operation = Operation.CREATE)
    java.util.List<SubscriptionDtos.BulkUserCreated> bulkUsers(
            @Valid @RequestBody SubscriptionDtos.BulkUsersRequest request) {
        return bulk.createUsers(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Suspend or resume many subscriptions, all or nothing")
    @PostMapping("/subscriptions/bulk/{action:suspend|resume}")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.BulkResult bulkTransition(@PathVariable String action,
                                               @Valid @RequestBody SubscriptionDtos.BulkIds request) {
        return bulk.transition(request.subscriptionIds(), action);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Extend the expiry of many subscriptions by N days")
    @PostMapping("/subscriptions/bulk/extend")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.BulkResult bulkExtend(@Valid @RequestBody SubscriptionDtos.BulkExtendRequest request) {
        return bulk.extend(request.subscriptionIds(), request.days());
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Add data to the quota of many subscriptions")
    @PostMapping("/subscriptions/bulk/add-quota")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.UPDATE)
    SubscriptionDtos.BulkResult bulkAddQuota(@Valid @RequestBody SubscriptionDtos.BulkQuotaRequest request) {
        return bulk.addQuota(request.subscriptionIds(), request.bytes());
    }
}

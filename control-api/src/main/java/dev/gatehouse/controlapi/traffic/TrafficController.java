package dev.gatehouse.controlapi.traffic;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TrafficController {

    private final TrafficService service;

    TrafficController(TrafficService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Report a node's traffic samples over HTTP (as a node session does): stored once, counted once; needs TRAFFIC:CREATE")
    @PostMapping("/traffic/events")
    @RequiresPermission(module = Module.TRAFFIC, operation = Operation.CREATE)
    TrafficDtos.EventsResult events(@Valid @RequestBody TrafficDtos.EventsRequest request) {
        return service.events(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Usage of subscriptions now: the period's counters (checked against the quota) and the lifetime's")
    @GetMapping("/traffic/usage")
    @RequiresPermission(module = Module.TRAFFIC, operation = Operation.READ)
    Page<TrafficDtos.Usage> usage(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                  @RequestParam(name = "user_id", required = false) UUID userId,
                                  @RequestParam(name = "subscription_id", required = false) UUID subscriptionId,
                                  @Valid PageRequest page) {
        return service.usage(tenantId, userId, subscriptionId, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Raw bytes over [from, to) by tenant, person, node or engine, largest first")
    @GetMapping("/traffic/summary")
    @RequiresPermission(module = Module.TRAFFIC, operation = Operation.READ)
    Page<TrafficDtos.SummaryRow> summary(@RequestParam Instant from, @RequestParam Instant to,
                                         @RequestParam(name = "group_by", defaultValue = "tenant")
                                         @Pattern(regexp = "^(tenant|user|node|engine)$",
                                                 message = "must be tenant, user, node or engine") String groupBy,
                                         @RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                         @Valid PageRequest page) {
        return service.summary(from, to, groupBy, tenantId, page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Hourly rollups over [from, to) (per hour, subscription, node and engine)")
    @GetMapping("/traffic/rollups")
    @RequiresPermission(module = Module.TRAFFIC, operation = Operation.READ)
    Page<TrafficDtos.Rollup> rollups(@RequestParam Instant from, @RequestParam Instant to,
                                     @RequestParam(name = "subscription_id", required = false) UUID subscriptionId,
                                     @RequestParam(name = "user_id", required = false) UUID userId,
                                     @RequestParam(name = "node_id", required = false) UUID nodeId,
                                     @Valid PageRequest page) {
        return service.rollups(from, to, subscriptionId, userId, nodeId, page);
    }
}

package dev.gatehouse.controlapi.audit;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** GET /audit: the audit trail, newest first. */
@RestController
class AuditController {

    private final AuditQuery query;

    AuditController(AuditQuery query) {
        this.query = query;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Read the audit trail, newest first (filter: tenant_id, actor_id, action, target_type, target_id, since, until)")
    @GetMapping("/audit")
    @RequiresPermission(module = Module.AUDIT, operation = Operation.READ)
    Page<AuditQuery.AuditEntry> listAuditEntries(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
                                     @RequestParam(name = "actor_id", required = false) UUID actorId,
                                     @RequestParam(required = false) @Size(max = 100) String action,
                                     @RequestParam(name = "target_type", required = false) @Size(max = 64)
                                     String targetType,
                                     @RequestParam(name = "target_id", required = false) @Size(max = 128)
                                     String targetId,
                                     @RequestParam(required = false)
                                     @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant since,
                                     @RequestParam(required = false)
                                     @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant until,
                                     @Valid PageRequest page) {
        return query.list(tenantId, actorId, action, targetType, targetId, since, until, page);
    }
}

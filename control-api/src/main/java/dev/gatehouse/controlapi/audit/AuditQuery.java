package dev.gatehouse.controlapi.audit;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import tools.jackson.databind.json.JsonMapper;

/** Reads the audit trail, newest first, paged and filtered; each tenant's entries only to those allowed. */
@org.springframework.stereotype.Service
class AuditQuery {

    record AuditEntry(long id, Instant occurredAt, String actorKind, UUID actorId, String actorName, UUID tenantId,
                      String action, String targetType, String targetId, Map<String, Object> before,
                      Map<String, Object> after,
                      String requestId, String clientIp) {
    }

    private final AuditRecords records;
    private final AccessPolicy access;
    private final JsonMapper json;

    AuditQuery(AuditRecords records, AccessPolicy access, JsonMapper json) {
        this.records = records;
        this.access = access;
        this.json = json;
    }

    @org.springframework.transaction.annotation.Transactional(readOnly = true)
    Page<AuditEntry> list(UUID tenantId, UUID actorId, String action, String targetType, String targetId,
                          Instant since, Instant until, PageRequest page) {
        List<Specification<AuditRecord>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(access.filter(Module.AUDIT), "tenantId", null));
        equal(where, "tenantId", tenantId);
        equal(where, "actorId", actorId);
        equal(where, "action", action);
        equal(where, "targetType", targetType);
        equal(where, "targetId", targetId);
        if (since != null) {
            where.add((root, query, cb) -> cb.greaterThanOrEqualTo(root.get("occurredAt"), since));
        }
        if (until != null) {
            where.add((root, query, cb) -> cb.lessThan(root.get("occurredAt"), until));
        }
        var found = records.findAll(Specification.allOf(where), OffsetPage.of(page, Sort.by(Sort.Order.desc("id"))));
        return new Page<>(found.getContent().stream().map(this::entry).toList(), found.getTotalElements(), page);
    }

    private static void equal(List<Specification<AuditRecord>> where, String attribute, Object value) {
        if (value != null) {
            where.add((root, query, cb) -> cb.equal(root.get(attribute), value));
        }
    }

    private AuditEntry entry(AuditRecord r) {
        return new AuditEntry(r.id(), r.occurredAt(), r.actorKind(), r.actorId(), r.actorName(), r.tenantId(),
                r.action(), r.targetType(), r.targetId(), parse(r.beforeState()), parse(r.afterState()),
                r.requestId(), r.clientIp());
    }

    /** The stored state, an object of the target's fields; null where there is none. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(String text) {
        return text == null ? null : json.readValue(text, Map.class);
    }
}

package dev.gatehouse.controlapi.enrollment;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.domain.identity.NodeCa;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Rotation of the node CA by a platform admin, one audited step at a time: stage, promote, retire.
 * The rules (what is refused, what {@code force} overrides) are {@link NodeCa}'s.
 */
@Service
class NodeCaService {

    private final NodeCa ca;
    private final AccessPolicy access;
    private final AuditLog audit;

    NodeCaService(NodeCa ca, AccessPolicy access, AuditLog audit) {
        this.ca = ca;
        this.access = access;
        this.audit = audit;
    }

    Page<NodeCaDtos.NodeCaResponse> list(PageRequest page) {
        access.requirePlatformAdmin();
        return new Page<>(ca.list(page.limit(), page.offset()).stream().map(NodeCaDtos.NodeCaResponse::of).toList(),
                ca.count(), page);
    }

    @Transactional
    NodeCaDtos.NodeCaResponse stage() {
        access.requirePlatformAdmin();
        NodeCa.Authority staged = ca.stage();
        audit.record(null, "node_ca.stage", "node_ca", staged.id(), null, state(staged));
        return NodeCaDtos.NodeCaResponse.of(staged);
    }

    @Transactional
    NodeCaDtos.NodeCaResponse promote(UUID id, boolean force) {
        access.requirePlatformAdmin();
        NodeCa.Step step = ca.promote(id, force);
        audit.record(null, "node_ca.promote", "node_ca", id, null, after(step, force));
        return NodeCaDtos.NodeCaResponse.of(step.authority());
    }

    @Transactional
    NodeCaDtos.NodeCaResponse retire(UUID id, boolean force) {
        access.requirePlatformAdmin();
        NodeCa.Step step = ca.retire(id, force);
        audit.record(null, "node_ca.retire", "node_ca", id, null, after(step, force));
        return NodeCaDtos.NodeCaResponse.of(step.authority());
    }

    private static Map<String, Object> state(NodeCa.Authority authority) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("fingerprint", authority.fingerprint());
        state.put("state", authority.state().label());
        return state;
    }

    /** The CA's new state, and when forced, what the step went past. */
    private static Map<String, Object> after(NodeCa.Step step, boolean force) {
        Map<String, Object> after = state(step.authority());
        after.put("force", force);
        if (!step.overridden().none()) {
            after.put("certificate_count", step.overridden().certificates());
            after.put("node_count", step.overridden().nodes());
            after.put("last_expiry", step.overridden().lastExpiry().toString());
        }
        return after;
    }
}

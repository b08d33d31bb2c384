package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.node.InboundRules;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeAssigner;
import dev.gatehouse.domain.node.NodeEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Nodes: the edge servers of a tenant, what they offer, and their lifecycle. */
@Service
class NodeService {

    private static final Duration ENROLLMENT_TTL = Duration.ofHours(24);
    private static final Map<String, SortOrder.Field> SORTS = Map.of("name", SortOrder.Field.lowerCased("name"),
            "created_at", SortOrder.Field.of("createdAt"), "status", SortOrder.Field.of("status"),
            "last_seen_at", SortOrder.Field.of("lastSeenAt"), "capacity", SortOrder.Field.of("capacity"));

    private final NodeRepository nodes;
    private final NodeAssigner assigner;
    private final DesiredState desired;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Clock clock;
    private final NodeCa ca;

    NodeService(NodeRepository nodes, NodeAssigner assigner, DesiredState desired, AccessPolicy access,
                AuditLog audit, Clock clock, NodeCa ca) {
        this.ca = ca;
        this.nodes = nodes;
        this.assigner = assigner;
        this.desired = desired;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    Page<NodeDtos.NodeResponse> list(UUID tenant, NodeStatus status, String tag, String q, String sort, PageRequest page) {
        Sort order = SortOrder.sort(sort, SORTS, "name");
        return nodes.list(access.filter(Module.NODES), tenant, status, tag, q, order, page);
    }

    @Transactional(readOnly = true)
    NodeDtos.NodeResponse get(UUID id) {
        return visible(id, Operation.READ);
    }

    @Transactional
    NodeDtos.NodeCreated create(NodeDtos.NodeCreateRequest request) {
        access.check(Module.NODES, Operation.CREATE, request.tenantId(), null, "tenant");
        checkEngines(request.engines());
        if (nodes.nameTaken(request.tenantId(), request.name().trim(), null)) {
            throw ApiException.conflict("a node named '" + request.name().trim() + "' exists in this tenant");
        }
        UUID id = nodes.insert(request, tags(request.tags()));
        NodeDtos.NodeResponse created = nodes.find(id).orElseThrow();
        NodeDtos.EnrollmentToken enrollment = enrollmentToken(id);
        audit.record(request.tenantId(), "node.create", "node", id, null, created);
        return new NodeDtos.NodeCreated(created, enrollment.enrollmentToken(), enrollment.enrollmentExpiresAt(),
                enrollment.caSha256());
    }

    /** A new one-time enrollment token for the node's agent; its earlier unused tokens expire now. */
    @Transactional
    NodeDtos.EnrollmentToken newEnrollmentToken(UUID id) {
        NodeDtos.NodeResponse node = visible(id, Operation.UPDATE);
        if (node.status() == NodeStatus.DISABLED) {
            throw ApiException.conflict("the node is disabled; enable it first");
        }
        nodes.expireEnrollmentTokens(id);
        NodeDtos.EnrollmentToken token = enrollmentToken(id);
        audit.record(node.tenantId(), "node.enrollment_token", "node", id, null, null);
        return token;
    }

    private NodeDtos.EnrollmentToken enrollmentToken(UUID id) {
        String token = OpaqueToken.ENROLLMENT.generate();
        Instant expires = clock.instant().plus(ENROLLMENT_TTL);
        nodes.insertEnrollmentToken(id, OpaqueToken.hash(token), expires, access.caller().userId());
        // The fingerprint an agent may pin (--ca-sha256); the CA is made here if this is the first node.
        String caSha256 = ca.available() ? ca.fingerprint() : null;
        return new NodeDtos.EnrollmentToken(id, token, expires, caSha256);
    }

    @Transactional
    NodeDtos.NodeResponse update(UUID id, NodeDtos.NodeUpdateRequest request) {
        NodeDtos.NodeResponse before = visible(id, Operation.UPDATE);
        if (request.engines() != null) {
            checkEngines(request.engines());
        }
        if (request.name() != null && nodes.nameTaken(before.tenantId(), request.name().trim(), id)) {
            throw ApiException.conflict("a node named '" + request.name().trim() + "' exists in this tenant");
        }
        if (request.capacity() != null && request.capacity() < before.assigned()) {
            throw ApiException.conflict("the node serves " + before.assigned() + " subscriptions; capacity "
                    + request.capacity() + " is below that");
        }
        nodes.update(id, request, request.tags() == null ? null : tags(request.tags()));
        boolean configChanged = request.engines() != null
                && !request.engines().toSettings().equals(before.engines().toSettings());
        desired.syncNodes(List.of(id), configChanged);
        NodeDtos.NodeResponse after = nodes.find(id).orElseThrow();
        audit.record(before.tenantId(), "node.update", "node", id, before, after);
        return after;
    }

    /**
     * Takes the node out of service: its subscriptions move to other nodes, it serves nobody. The
     * tenant's nodes are locked in id order before the node's status changes, as an assignment locks
     * them, so the two never wait for each other.
     */
    @Transactional
    NodeDtos.NodeResponse disable(UUID id) {
        NodeDtos.NodeResponse before = visible(id, Operation.UPDATE);
        assigner.lockTenantNodes(before.tenantId());
        nodes.setStatus(id, NodeStatus.DISABLED);
        nodes.expireEnrollmentTokens(id);
        // Refused at the next handshake; the collector ends an open session on the closed event.
        ca.revokeAll(id);
        assigner.reassignAwayFrom(id);
        desired.closed(id, NodeEvent.Reason.DISABLED);
        NodeDtos.NodeResponse after = nodes.find(id).orElseThrow();
        audit.record(before.tenantId(), "node.disable", "node", id, before, after);
        return after;
    }

    @Transactional
    NodeDtos.NodeResponse enable(UUID id) {
        NodeDtos.NodeResponse before = visible(id, Operation.UPDATE);
        if (before.status() != NodeStatus.DISABLED) {
            return before;
        }
        nodes.setStatus(id, before.lastSeenAt() == null ? NodeStatus.PENDING : NodeStatus.OFFLINE);
        NodeDtos.NodeResponse after = nodes.find(id).orElseThrow();
        audit.record(before.tenantId(), "node.enable", "node", id, before, after);
        return after;
    }

    /** Deletes the node once its subscriptions have moved; the tenant's nodes are locked first, as in disable. */
    @Transactional
    void delete(UUID id) {
        NodeDtos.NodeResponse before = visible(id, Operation.DELETE);
        assigner.lockTenantNodes(before.tenantId());
        assigner.reassignAwayFrom(id);
        nodes.delete(id);
        desired.closed(id, NodeEvent.Reason.DELETED);
        audit.record(before.tenantId(), "node.delete", "node", id, before, null);
    }

    @Transactional(readOnly = true)
    NodeDtos.PolicyResponse policy(UUID id) {
        visible(id, Operation.READ);
        return nodes.policy(id).orElse(new NodeDtos.PolicyResponse(id, Map.of(), null));
    }

    @Transactional
    NodeDtos.PolicyResponse savePolicy(UUID id, NodeDtos.PolicyRequest request) {
        NodeDtos.NodeResponse node = visible(id, Operation.UPDATE);
        NodeDtos.PolicyResponse before = nodes.policy(id).orElse(null);
        nodes.savePolicy(id, request.document(), access.caller().userId());
        NodeDtos.PolicyResponse after = nodes.policy(id).orElseThrow();
        audit.record(node.tenantId(), "node.policy", "node", id, before, after);
        return after;
    }

    @Transactional(readOnly = true)
    NodeDtos.HealthResponse health(UUID id) {
        visible(id, Operation.READ);
        return nodes.health(id, clock.instant());
    }

    private static void checkEngines(NodeDtos.NodeEngines engines) {
        if (engines.xray() == null && engines.wireguard() == null) {
            throw ApiException.invalid("engines", "offer at least one of xray and wireguard");
        }
        List<InboundRules.Problem> problems = InboundRules.check(engines.toSettings());
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems.stream()
                    .map(p -> Map.entry(p.field(), p.message())).toList());
        }
    }

    private static List<String> tags(List<String> tags) {
        return tags == null ? List.of() : tags.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).distinct()
                .sorted().toList();
    }

    private NodeDtos.NodeResponse visible(UUID id, Operation operation) {
        NodeDtos.NodeResponse node = nodes.find(id).orElseThrow(() -> ApiException.notFound("node"));
        access.check(Module.NODES, operation, node.tenantId(), null, "node");
        return node;
    }
}

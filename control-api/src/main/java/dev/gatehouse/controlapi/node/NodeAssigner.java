package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.problem.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import dev.gatehouse.domain.node.DesiredState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts subscriptions on nodes: a primary and up to N redundant nodes, by strategy (manual,
 * round_robin, by_tag, by_capacity). The tenant's candidate nodes are locked while counting, so two
 * requests can never both take a node's last free slot.
 */
@Component
public class NodeAssigner {

    /** A node that could take a subscription, with its load. */
    private record Candidate(UUID id, Integer capacity, long used, List<String> tags, long lastAssigned) {
        boolean hasRoom() {
            return capacity == null || used < capacity;
        }

        double load() {
            return capacity == null ? 0 : capacity == 0 ? 1 : (double) used / capacity;
        }

        long free() {
            return capacity == null ? Long.MAX_VALUE : capacity - used;
        }
    }

    private final JdbcClient jdbc;
    private final DesiredState desired;

    NodeAssigner(JdbcClient jdbc, DesiredState desired) {
        this.jdbc = jdbc;
        this.desired = desired;
    }

    /**
     * Assigns the subscription and returns its nodes, primary first. Throws 404 for a manual node
     * the tenant does not have, 409 when no node has room.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> assign(UUID tenantId, UUID subscriptionId, String strategy, List<String> tags, int redundancy,
                             List<UUID> manualNodes, String[] engines) {
        List<UUID> chosen = choose(tenantId, subscriptionId, strategy, tags, redundancy, manualNodes, engines, Set.of());
        for (int i = 0; i < chosen.size(); i++) {
            jdbc.sql("INSERT INTO node_assignments (subscription_id, node_id, tenant_id, role) VALUES (?, ?, ?, ?)")
                    .params(subscriptionId, chosen.get(i), tenantId, i == 0 ? "primary" : "redundant").update();
        }
        return chosen;
    }

    /** Removes every assignment of the subscription (before a new assignment or deletion). */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> unassign(UUID subscriptionId) {
        return jdbc.sql("DELETE FROM node_assignments WHERE subscription_id = ? RETURNING node_id")
                .param(subscriptionId).query(UUID.class).list();
    }

    /**
     * Moves every subscription off a node that is being disabled or deleted: a redundant node takes
     * over as primary, or a new primary is chosen by the subscription's strategy (by capacity for
     * manual ones). The node and every affected subscription are synced.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void reassignAwayFrom(UUID nodeId) {
        record Affected(UUID subscriptionId, UUID tenantId, String role, String strategy, List<String> tags,
                        String[] engines) {
        }
        List<Affected> affected = jdbc.sql("""
                        SELECT a.subscription_id, a.tenant_id, a.role, s.assignment_strategy, s.assignment_tags,
                               s.engines
                        FROM node_assignments a JOIN subscriptions s ON s.id = a.subscription_id
                        WHERE a.node_id = ? ORDER BY a.subscription_id""")
                .param(nodeId)
                .query((rs, n) -> new Affected(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getString(4), List.of((String[]) rs.getArray(5).getArray()),
                        (String[]) rs.getArray(6).getArray()))
                .list();
        for (Affected a : affected) {
            jdbc.sql("DELETE FROM node_assignments WHERE subscription_id = ? AND node_id = ?")
                    .params(a.subscriptionId(), nodeId).update();
            if (!"primary".equals(a.role())) {
                continue;
            }
            UUID promoted = jdbc.sql("""
                            UPDATE node_assignments SET role = 'primary'
                            WHERE subscription_id = ? AND node_id = (
                                SELECT node_id FROM node_assignments WHERE subscription_id = ? ORDER BY node_id LIMIT 1)
                            RETURNING node_id""")
                    .params(a.subscriptionId(), a.subscriptionId()).query(UUID.class).optional().orElse(null);
            if (promoted != null) {
                continue;
            }
            String strategy = "manual".equals(a.strategy()) ? "by_capacity" : a.strategy();
            try {
                List<UUID> chosen = choose(a.tenantId(), a.subscriptionId(), strategy, a.tags(), 0, List.of(),
                        a.engines(), Set.of(nodeId));
                jdbc.sql("INSERT INTO node_assignments (subscription_id, node_id, tenant_id, role)"
                                + " VALUES (?, ?, ?, 'primary')")
                        .params(a.subscriptionId(), chosen.get(0), a.tenantId()).update();
            } catch (ApiException noRoom) {
                // No other node has room: the subscription stays unassigned until one has.
            }
        }
        desired.syncSubscriptions(affected.stream().map(Affected::subscriptionId).toList());
        desired.syncNodes(List.of(nodeId), false);
    }

    /** Why a node named for a manual assignment cannot take it: 404 when the tenant has no such node. */
    private ApiException unusable(UUID tenantId, UUID nodeId) {
        String status = jdbc.sql("SELECT status FROM nodes WHERE id = ? AND tenant_id = ?").params(nodeId, tenantId)
                .query(String.class).optional().orElse(null);
        if (status == null) {
            return ApiException.notFound("node " + nodeId);
        }
        return ApiException.conflict("node " + nodeId + ("disabled".equals(status) ? " is disabled"
                : " does not offer these engines or already serves this subscription"));
    }

    private List<UUID> choose(UUID tenantId, UUID subscriptionId, String strategy, List<String> tags, int redundancy,
                              List<UUID> manualNodes, String[] engines, Set<UUID> excluded) {
        // Lock first, count after: in READ COMMITTED the counting statement then sees every
        // assignment committed by whoever held the lock before us.
        jdbc.sql("SELECT id FROM nodes WHERE tenant_id = ? AND status <> 'disabled' ORDER BY id FOR UPDATE")
                .param(tenantId).query(UUID.class).list();
        List<Candidate> candidates = jdbc.sql("""
                        SELECT n.id, n.capacity, n.assigned_count, n.tags, n.last_assignment_seq
                        FROM nodes n
                        WHERE n.tenant_id = ? AND n.status <> 'disabled'
                          AND EXISTS (SELECT 1 FROM unnest(CAST(? AS text[])) e
                                      WHERE jsonb_typeof(n.engines -> e) = 'object')
                          AND NOT EXISTS (SELECT 1 FROM node_assignments a
                                          WHERE a.node_id = n.id AND a.subscription_id = ?)
                        ORDER BY n.id""")
                .params(tenantId, engines, subscriptionId)
                .query((rs, n) -> new Candidate(rs.getObject(1, UUID.class), (Integer) rs.getObject(2), rs.getLong(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getLong(5)))
                .list().stream().filter(c -> !excluded.contains(c.id())).toList();

        if ("manual".equals(strategy)) {
            if (manualNodes == null || manualNodes.isEmpty()) {
                throw ApiException.invalid("node_ids", "is required with the manual strategy");
            }
            List<UUID> result = new ArrayList<>();
            for (UUID id : new LinkedHashSet<>(manualNodes)) {
                Candidate c = candidates.stream().filter(x -> x.id().equals(id)).findFirst()
                        .orElseThrow(() -> unusable(tenantId, id));
                if (!c.hasRoom()) {
                    throw ApiException.conflict("node " + id + " has no free capacity");
                }
                result.add(id);
            }
            return result;
        }
        List<Candidate> open = candidates.stream().filter(Candidate::hasRoom).toList();
        Comparator<Candidate> order = switch (strategy) {
            case "by_capacity" -> Comparator.comparingLong(Candidate::free).reversed()
                    .thenComparing(Candidate::id);
            case "by_tag" -> Comparator.comparingDouble(Candidate::load).thenComparing(Candidate::id);
            default -> Comparator.comparingLong(Candidate::lastAssigned).thenComparing(Candidate::id);
        };
        if ("by_tag".equals(strategy)) {
            open = open.stream().filter(c -> c.tags().containsAll(tags)).toList();
        }
        List<UUID> result = open.stream().sorted(order).limit(1L + redundancy).map(Candidate::id).toList();
        if (result.isEmpty()) {
            throw ApiException.conflict("no node of the tenant has free capacity for these engines"
                    + ("by_tag".equals(strategy) ? " and tags " + tags : ""));
        }
        return result;
    }
}

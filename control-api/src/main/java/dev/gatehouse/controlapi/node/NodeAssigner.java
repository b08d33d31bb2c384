package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.DesiredState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts subscriptions on nodes: a primary and up to N redundant nodes, by strategy (manual,
 * round_robin, by_tag, by_capacity). The tenant's nodes are locked, then read once with their load
 * (kept by trigger) and the order of their last assignment (a sequence, which moves inside a
 * transaction where now() does not), so two requests never both take a node's last free slot and
 * one bulk request spreads as evenly as many single ones.
 */
@Component
public class NodeAssigner {

    /** A node that could take subscriptions, with its load as this transaction has changed it. */
    private static final class Candidate {
        final UUID id;
        final Integer capacity;
        final List<String> tags;
        long used;
        long lastAssigned;

        Candidate(UUID id, Integer capacity, long used, List<String> tags, long lastAssigned) {
            this.id = id;
            this.capacity = capacity;
            this.used = used;
            this.tags = tags;
            this.lastAssigned = lastAssigned;
        }

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

    /** The tenant's usable nodes, locked, and the order in which they were last given a subscription. */
    private final class Candidates {
        final List<Candidate> nodes;
        long sequence;

        Candidates(List<Candidate> nodes) {
            this.nodes = nodes;
            this.sequence = nodes.stream().mapToLong(c -> c.lastAssigned).max().orElse(0);
        }

        /** Picks the nodes of one subscription and counts them as taken. */
        List<UUID> pick(UUID tenantId, AssignmentStrategy strategy, List<String> tags, int redundancy,
                        List<UUID> manualNodes) {
            List<Candidate> chosen = strategy == AssignmentStrategy.MANUAL ? manual(tenantId, manualNodes)
                    : byStrategy(strategy, tags, redundancy);
            for (Candidate c : chosen) {
                c.used++;
                c.lastAssigned = ++sequence;
            }
            return chosen.stream().map(c -> c.id).toList();
        }

        private List<Candidate> manual(UUID tenantId, List<UUID> manualNodes) {
            if (manualNodes == null || manualNodes.isEmpty()) {
                throw ApiException.invalid("node_ids", "is required with the manual strategy");
            }
            List<Candidate> result = new ArrayList<>();
            for (UUID id : new LinkedHashSet<>(manualNodes)) {
                Candidate c = nodes.stream().filter(x -> x.id.equals(id)).findFirst()
                        .orElseThrow(() -> unusable(tenantId, id));
                if (!c.hasRoom()) {
                    throw ApiException.conflict("node " + id + " has no free capacity");
                }
                result.add(c);
            }
            return result;
        }

        private List<Candidate> byStrategy(AssignmentStrategy strategy, List<String> tags, int redundancy) {
            Comparator<Candidate> order = switch (strategy) {
                case BY_CAPACITY -> Comparator.comparingLong((Candidate c) -> c.free()).reversed()
                        .thenComparing(c -> c.id);
                case BY_TAG -> Comparator.comparingDouble((Candidate c) -> c.load()).thenComparing(c -> c.id);
                case ROUND_ROBIN, MANUAL -> Comparator.comparingLong((Candidate c) -> c.lastAssigned)
                        .thenComparing(c -> c.id);
            };
            boolean byTag = strategy == AssignmentStrategy.BY_TAG;
            List<Candidate> result = nodes.stream().filter(Candidate::hasRoom)
                    .filter(c -> !byTag || c.tags.containsAll(tags))
                    .sorted(order).limit(1L + redundancy).toList();
            if (result.isEmpty()) {
                throw ApiException.conflict("no node of the tenant has free capacity for these engines"
                        + (byTag ? " and tags " + tags : ""));
            }
            return result;
        }
    }

    /** The roles of an assignment, as the database holds them. */
    private static final String PRIMARY = "primary";
    private static final String REDUNDANT = "redundant";

    private final JdbcClient jdbc;
    private final DesiredState desired;

    NodeAssigner(JdbcClient jdbc, DesiredState desired) {
        this.jdbc = jdbc;
        this.desired = desired;
    }

    /**
     * Assigns new subscriptions on the same terms and returns each one's nodes, primary first. Throws
     * 404 for a manual node the tenant does not have, 409 when no node has room.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<List<UUID>> assignAll(UUID tenantId, List<UUID> subscriptionIds, AssignmentStrategy strategy,
                                      List<String> tags,
                                      int redundancy, List<UUID> manualNodes, String[] engines) {
        Candidates candidates = candidates(tenantId, engines, null, Set.of());
        List<List<UUID>> result = new ArrayList<>();
        List<UUID> subs = new ArrayList<>();
        List<UUID> nodes = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (UUID sub : subscriptionIds) {
            List<UUID> chosen = candidates.pick(tenantId, strategy, tags, redundancy, manualNodes);
            result.add(chosen);
            for (int i = 0; i < chosen.size(); i++) {
                subs.add(sub);
                nodes.add(chosen.get(i));
                roles.add(role(i));
            }
        }
        insert(tenantId, subs, nodes, roles);
        return result;
    }

    /** Assigns one subscription (a reassignment) and returns its nodes, primary first. */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> assign(UUID tenantId, UUID subscriptionId, AssignmentStrategy strategy, List<String> tags,
                             int redundancy,
                             List<UUID> manualNodes, String[] engines) {
        Candidates candidates = candidates(tenantId, engines, subscriptionId, Set.of());
        List<UUID> chosen = candidates.pick(tenantId, strategy, tags, redundancy, manualNodes);
        insert(tenantId, chosen.stream().map(n -> subscriptionId).toList(), chosen,
                java.util.stream.IntStream.range(0, chosen.size()).mapToObj(NodeAssigner::role).toList());
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
            if (!PRIMARY.equals(a.role())) {
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
            AssignmentStrategy own = AssignmentStrategy.fromDb(a.strategy());
            AssignmentStrategy strategy = own == AssignmentStrategy.MANUAL ? AssignmentStrategy.BY_CAPACITY : own;
            try {
                List<UUID> chosen = candidates(a.tenantId(), a.engines(), a.subscriptionId(), Set.of(nodeId))
                        .pick(a.tenantId(), strategy, a.tags(), 0, List.of());
                insert(a.tenantId(), List.of(a.subscriptionId()), chosen, List.of(PRIMARY));
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
        return ApiException.conflict("node " + nodeId + (NodeStatus.fromDb(status) == NodeStatus.DISABLED ? " is disabled"
                : " does not offer these engines or already serves this subscription"));
    }

    /**
     * Locks the tenant's nodes, then reads those that offer one of the engines and do not already
     * serve {@code subscriptionId}. Lock first, count after: in READ COMMITTED the read then sees
     * every assignment committed by whoever held the lock before us.
     */
    private Candidates candidates(UUID tenantId, String[] engines, UUID subscriptionId, Set<UUID> excluded) {
        jdbc.sql("SELECT id FROM nodes WHERE tenant_id = ? AND status <> 'disabled' ORDER BY id FOR UPDATE")
                .param(tenantId).query(UUID.class).list();
        return new Candidates(jdbc.sql("""
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
                .list().stream().filter(c -> !excluded.contains(c.id)).toList());
    }

    private static String role(int index) {
        return index == 0 ? PRIMARY : REDUNDANT;
    }

    private void insert(UUID tenantId, List<UUID> subscriptions, List<UUID> nodes, List<String> roles) {
        if (subscriptions.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO node_assignments (subscription_id, node_id, tenant_id, role)
                        SELECT a.subscription_id, a.node_id, ?, a.role
                        FROM unnest(?::uuid[], ?::uuid[], ?::text[]) AS a(subscription_id, node_id, role)""")
                .params(tenantId, subscriptions.toArray(UUID[]::new), nodes.toArray(UUID[]::new),
                        roles.toArray(String[]::new))
                .update();
    }
}

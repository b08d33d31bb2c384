package dev.gatehouse.domain.node;

import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.support.DomainException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts subscriptions on nodes: a primary and up to N redundant nodes, by strategy (manual,
 * round_robin, by_tag, by_capacity). The tenant's nodes are locked, then read once with their load
 * (kept by trigger) and the order of their last assignment (a sequence, which moves inside a
 * transaction where now() does not), so two callers never both take a node's last free slot and
 * one bulk call spreads as evenly as many single ones. control-api assigns on request; the
 * scheduler finds live subscriptions short of nodes and tops them up by the same rule.
 */
public class NodeAssigner {

    /** What a {@link #topUp} did: assignments added, redundant nodes made primary, subscriptions left short. */
    public record TopUp(int assignmentsAdded, int promoted, int stillShort) {
    }

    /** A node that could take subscriptions, with its load as this transaction has changed it. */
    private static final class Candidate {
        final UUID id;
        final Integer capacity;
        final List<String> tags;
        final Set<String> engines;
        long used;
        long lastAssigned;

        Candidate(UUID id, Integer capacity, long used, List<String> tags, Set<String> engines, long lastAssigned) {
            this.id = id;
            this.capacity = capacity;
            this.used = used;
            this.tags = tags;
            this.engines = engines;
            this.lastAssigned = lastAssigned;
        }

        boolean hasRoom() {
            return capacity == null || used < capacity;
        }

        boolean offersAny(String[] wanted) {
            for (String engine : wanted) {
                if (engines.contains(engine)) {
                    return true;
                }
            }
            return false;
        }

        double load() {
            return capacity == null ? 0 : capacity == 0 ? 1 : (double) used / capacity;
        }

        long free() {
            return capacity == null ? Long.MAX_VALUE : capacity - used;
        }
    }

    /** The tenant's nodes that are not disabled, locked, and the order in which they were last given a subscription. */
    private final class Candidates {
        final List<Candidate> nodes;
        long sequence;

        Candidates(List<Candidate> nodes) {
            this.nodes = nodes;
            this.sequence = nodes.stream().mapToLong(c -> c.lastAssigned).max().orElse(0);
        }

        /** The nodes that offer one of the engines and are not in {@code excluded}. */
        List<Candidate> offering(String[] engines, Set<UUID> excluded) {
            return nodes.stream().filter(c -> c.offersAny(engines) && !excluded.contains(c.id)).toList();
        }

        /** Picks the nodes of one subscription among {@code usable} and counts them as taken. */
        List<UUID> pick(UUID tenantId, List<Candidate> usable, AssignmentStrategy strategy, List<String> tags,
                        int redundancy, List<UUID> manualNodes) {
            List<Candidate> chosen;
            if (strategy == AssignmentStrategy.MANUAL) {
                chosen = manual(tenantId, usable, manualNodes);
            } else {
                chosen = ranked(usable, strategy, tags, 1L + redundancy);
                if (chosen.isEmpty()) {
                    throw new DomainException(DomainException.Kind.CONFLICT,
                            "no node of the tenant has free capacity for these engines"
                                    + (strategy == AssignmentStrategy.BY_TAG ? " and tags " + tags : ""));
                }
            }
            return take(chosen);
        }

        /** Counts the nodes as taken and returns their ids. */
        List<UUID> take(List<Candidate> chosen) {
            for (Candidate c : chosen) {
                c.used++;
                c.lastAssigned = ++sequence;
            }
            return chosen.stream().map(c -> c.id).toList();
        }

        private List<Candidate> manual(UUID tenantId, List<Candidate> usable, List<UUID> manualNodes) {
            if (manualNodes == null || manualNodes.isEmpty()) {
                // Details in the shape of any field error, so a client finds node_ids where it finds the others.
                throw new DomainException(DomainException.Kind.INVALID, NODE_IDS + ": " + NODE_IDS_REQUIRED,
                        Map.of("errors", List.of(Map.of("field", NODE_IDS, "message", NODE_IDS_REQUIRED))));
            }
            List<Candidate> result = new ArrayList<>();
            for (UUID id : new LinkedHashSet<>(manualNodes)) {
                Candidate c = usable.stream().filter(x -> x.id.equals(id)).findFirst()
                        .orElseThrow(() -> unusable(tenantId, id));
                if (!c.hasRoom()) {
                    throw new DomainException(DomainException.Kind.CONFLICT, "node " + id + " has no free capacity");
                }
                result.add(c);
            }
            return result;
        }
    }

    /** The best {@code limit} nodes with room among {@code usable} by the strategy; none when none has room. */
    private static List<Candidate> ranked(List<Candidate> usable, AssignmentStrategy strategy, List<String> tags,
                                          long limit) {
        Comparator<Candidate> order = switch (strategy) {
            case BY_CAPACITY -> Comparator.comparingLong((Candidate c) -> c.free()).reversed()
                    .thenComparing(c -> c.id);
            case BY_TAG -> Comparator.comparingDouble((Candidate c) -> c.load()).thenComparing(c -> c.id);
            case ROUND_ROBIN, MANUAL -> Comparator.comparingLong((Candidate c) -> c.lastAssigned)
                    .thenComparing(c -> c.id);
        };
        boolean byTag = strategy == AssignmentStrategy.BY_TAG;
        return usable.stream().filter(Candidate::hasRoom)
                .filter(c -> !byTag || c.tags.containsAll(tags))
                .sorted(order).limit(limit).toList();
    }

    /** A live subscription's terms and nodes (all, and its primary), read with its row locked. */
    private record Shortfall(UUID id, AssignmentStrategy strategy, List<String> tags, int redundancy, String[] engines,
                             Set<UUID> nodes, Set<UUID> primary) {
        boolean isShort() {
            return primary.isEmpty() || nodes.size() < 1 + redundancy;
        }
    }

    /** How many of the subscriptions a top-up could lock, and those of them that are live. */
    private record Locked(int rows, List<Shortfall> live) {
    }

    /** The roles of an assignment, as the database holds them. */
    private static final String PRIMARY = "primary";
    private static final String REDUNDANT = "redundant";
    private static final String NODE_IDS = "node_ids";
    private static final String NODE_IDS_REQUIRED = "is required with the manual strategy";
    private static final String[] LIVE = {SubscriptionState.ACTIVE.db(), SubscriptionState.ON_HOLD.db()};
    /** Below every id PostgreSQL orders (it compares uuids as unsigned bytes; Java's compareTo does not). */
    private static final UUID FIRST = new UUID(0, 0);

    private final JdbcClient jdbc;
    private final DesiredState desired;

    public NodeAssigner(JdbcClient jdbc, DesiredState desired) {
        this.jdbc = jdbc;
        this.desired = desired;
    }

    /**
     * Assigns new subscriptions on the same terms and returns each one's nodes, primary first. Refuses
     * (NOT_FOUND) a manual node the tenant does not have, (CONFLICT) when no node has room and
     * (INVALID) the manual strategy without nodes.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<List<UUID>> assignAll(UUID tenantId, List<UUID> subscriptionIds, AssignmentStrategy strategy,
                                      List<String> tags,
                                      int redundancy, List<UUID> manualNodes, String[] engines) {
        Candidates candidates = candidates(tenantId);
        List<Candidate> usable = candidates.offering(engines, Set.of());
        List<List<UUID>> result = new ArrayList<>();
        List<UUID> subs = new ArrayList<>();
        List<UUID> nodes = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (UUID sub : subscriptionIds) {
            List<UUID> chosen = candidates.pick(tenantId, usable, strategy, tags, redundancy, manualNodes);
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
        Candidates candidates = candidates(tenantId);
        List<UUID> chosen = candidates.pick(tenantId, candidates.offering(engines, serving(subscriptionId)),
                strategy, tags, redundancy, manualNodes);
        insert(tenantId, chosen.stream().map(n -> subscriptionId).toList(), chosen,
                IntStream.range(0, chosen.size()).mapToObj(NodeAssigner::role).toList());
        return chosen;
    }

    /**
     * Removes every assignment of the subscription (before a new assignment or deletion). The
     * tenant's nodes are locked first, in id order: removing an assignment updates its node's load,
     * and taking those node locks in the rows' order could deadlock with an assignment.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> unassign(UUID subscriptionId) {
        jdbc.sql("SELECT tenant_id FROM subscriptions WHERE id = ?").param(subscriptionId).query(UUID.class)
                .optional().ifPresent(this::lockTenantNodes);
        return jdbc.sql("DELETE FROM node_assignments WHERE subscription_id = ? RETURNING node_id")
                .param(subscriptionId).query(UUID.class).list();
    }

    /**
     * Moves every subscription off a node that is being disabled or deleted: a redundant node takes
     * over as primary, or a new primary is chosen by the subscription's strategy (by capacity for
     * manual ones). The node and every affected subscription are synced. The caller has locked the
     * tenant's nodes ({@link #lockTenantNodes}) before it changed the node.
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
            if (promote(a.subscriptionId())) {
                continue;
            }
            Candidates candidates = candidates(a.tenantId());
            Set<UUID> excluded = new HashSet<>(serving(a.subscriptionId()));
            excluded.add(nodeId);
            List<UUID> chosen = candidates.take(ranked(candidates.offering(a.engines(), excluded),
                    automatic(AssignmentStrategy.fromDb(a.strategy())), a.tags(), 1));
            // When none has room the subscription stays unassigned until a top-up finds one.
            insert(a.tenantId(), chosen.stream().map(n -> a.subscriptionId()).toList(), chosen,
                    chosen.stream().map(n -> PRIMARY).toList());
        }
        desired.syncSubscriptions(affected.stream().map(Affected::subscriptionId).toList());
        desired.syncNodes(List.of(nodeId), false);
    }

    /**
     * Live subscriptions (active or on hold) without a primary node or with fewer nodes than
     * 1 + redundancy, in id order after {@code after} (null for the first page).
     */
    public List<UUID> shortOfNodes(UUID after, int limit) {
        // One walk along the subscriptions' primary key that stops when the page is full: primaries
        // are read once from their partial index (hashed), nodes are counted (an index-only probe)
        // only where redundancy asks for more than one. A full pass over 100k subscriptions with
        // 130k assignments takes about 0.2 s on two busy cores.
        return jdbc.sql("""
                        SELECT s.id FROM subscriptions s
                        WHERE s.id > ? AND s.state = ANY(?)
                          AND (NOT EXISTS (SELECT 1 FROM node_assignments p
                                           WHERE p.subscription_id = s.id AND p.role = 'primary')
                               OR (s.redundancy > 0
                                   AND (SELECT count(*) FROM node_assignments a WHERE a.subscription_id = s.id)
                                       < 1 + s.redundancy))
                        ORDER BY s.id LIMIT ?""")
                .params(after == null ? FIRST : after, LIVE, limit)
                .query(UUID.class).list();
    }

    /**
     * Gives each live subscription a primary and 1 + redundancy nodes: a redundant node (the lowest
     * id) becomes primary where the primary is gone, then nodes are added by the subscription's
     * strategy and tags (by capacity for manual ones) among the tenant's nodes that offer one of its
     * engines, have room and do not serve it yet; the first node added to a subscription without a
     * primary becomes its primary. A subscription no node has room for stays as it is, and so does
     * one another change holds at the moment (its reassignment or deletion); both count as still
     * short and are retried by the next call. Tenants are worked in id order, each one's
     * subscriptions locked (never waiting for them) before its nodes, so concurrent calls and
     * requests never deadlock on them; one desired-state sync covers every subscription changed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public TopUp topUp(List<UUID> subscriptionIds) {
        if (subscriptionIds.isEmpty()) {
            return new TopUp(0, 0, 0);
        }
        UUID[] ids = subscriptionIds.stream().distinct().toArray(UUID[]::new);
        Map<UUID, List<UUID>> byTenant = new LinkedHashMap<>();
        jdbc.sql("SELECT tenant_id, id FROM subscriptions WHERE id = ANY(?) AND state = ANY(?) ORDER BY tenant_id, id")
                .params(ids, LIVE)
                .query((rs, n) -> byTenant.computeIfAbsent(rs.getObject(1, UUID.class), t -> new ArrayList<>())
                        .add(rs.getObject(2, UUID.class)))
                .list();
        int added = 0;
        int promoted = 0;
        int stillShort = 0;
        List<UUID> changed = new ArrayList<>();
        for (Map.Entry<UUID, List<UUID>> tenant : byTenant.entrySet()) {
            UUID tenantId = tenant.getKey();
            Locked locked = lock(tenantId, tenant.getValue());
            stillShort += tenant.getValue().size() - locked.rows();
            if (locked.live().isEmpty()) {
                continue;
            }
            // Nodes before assignments: a concurrent top-up of the tenant has committed what it added
            // by the time we hold them, and the read below sees it.
            Candidates candidates = candidates(tenantId);
            List<UUID> subsAdded = new ArrayList<>();
            List<UUID> nodesAdded = new ArrayList<>();
            List<String> rolesAdded = new ArrayList<>();
            for (Shortfall sub : shortOfNodes(locked.live())) {
                boolean hasPrimary = !sub.primary().isEmpty();
                if (!hasPrimary && !sub.nodes().isEmpty() && promote(sub.id())) {
                    promoted++;
                    hasPrimary = true;
                    changed.add(sub.id());
                }
                int missing = 1 + sub.redundancy() - sub.nodes().size();
                if (missing <= 0) {
                    continue;
                }
                List<UUID> chosen = candidates.take(ranked(candidates.offering(sub.engines(), sub.nodes()),
                        automatic(sub.strategy()), sub.tags(), missing));
                for (UUID node : chosen) {
                    subsAdded.add(sub.id());
                    nodesAdded.add(node);
                    rolesAdded.add(hasPrimary ? REDUNDANT : PRIMARY);
                    hasPrimary = true;
                }
                if (!chosen.isEmpty()) {
                    changed.add(sub.id());
                }
                if (chosen.size() < missing) {
                    stillShort++;
                }
            }
            insert(tenantId, subsAdded, nodesAdded, rolesAdded);
            added += nodesAdded.size();
        }
        desired.syncSubscriptions(changed);
        return new TopUp(added, promoted, stillShort);
    }

    /**
     * Locks the tenant's subscriptions against deletion and reassignment (which lock them for
     * update), skipping any such a change holds, and reads the terms of those that are live.
     */
    private Locked lock(UUID tenantId, List<UUID> ids) {
        List<Shortfall> live = new ArrayList<>();
        int rows = jdbc.sql("""
                        SELECT s.id, s.state, s.assignment_strategy, s.assignment_tags, s.redundancy, s.engines
                        FROM subscriptions s
                        WHERE s.tenant_id = ? AND s.id = ANY(?)
                        ORDER BY s.id FOR KEY SHARE SKIP LOCKED""")
                .params(tenantId, ids.toArray(UUID[]::new))
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    if (SubscriptionState.fromDb(rs.getString(2)).live()) {
                        live.add(new Shortfall(id, AssignmentStrategy.fromDb(rs.getString(3)),
                                List.of((String[]) rs.getArray(4).getArray()), rs.getInt(5),
                                (String[]) rs.getArray(6).getArray(), new HashSet<>(), new HashSet<>()));
                    }
                    return id;
                })
                .list().size();
        return new Locked(rows, live);
    }

    /** Reads the nodes of the subscriptions and keeps those short of nodes. */
    private List<Shortfall> shortOfNodes(List<Shortfall> subscriptions) {
        Map<UUID, Shortfall> byId = new LinkedHashMap<>();
        subscriptions.forEach(s -> byId.put(s.id(), s));
        jdbc.sql("SELECT subscription_id, node_id, role FROM node_assignments WHERE subscription_id = ANY(?)")
                .param(byId.keySet().toArray(UUID[]::new))
                .query((rs, n) -> {
                    Shortfall sub = byId.get(rs.getObject(1, UUID.class));
                    UUID node = rs.getObject(2, UUID.class);
                    sub.nodes().add(node);
                    if (PRIMARY.equals(rs.getString(3))) {
                        sub.primary().add(node);
                    }
                    return node;
                })
                .list();
        return subscriptions.stream().filter(Shortfall::isShort).toList();
    }

    /** Makes the subscription's redundant node with the lowest id its primary; false when it has none. */
    private boolean promote(UUID subscriptionId) {
        return jdbc.sql("""
                        UPDATE node_assignments SET role = 'primary'
                        WHERE subscription_id = ? AND node_id = (
                            SELECT node_id FROM node_assignments WHERE subscription_id = ? ORDER BY node_id LIMIT 1)
                        RETURNING node_id""")
                .params(subscriptionId, subscriptionId).query(UUID.class).optional().isPresent();
    }

    /** The strategy that chooses nodes without a person: manual subscriptions go by capacity. */
    private static AssignmentStrategy automatic(AssignmentStrategy own) {
        return own == AssignmentStrategy.MANUAL ? AssignmentStrategy.BY_CAPACITY : own;
    }

    /** Why a node named for a manual assignment cannot take it: NOT_FOUND when the tenant has no such node. */
    private DomainException unusable(UUID tenantId, UUID nodeId) {
        String status = jdbc.sql("SELECT status FROM nodes WHERE id = ? AND tenant_id = ?").params(nodeId, tenantId)
                .query(String.class).optional().orElse(null);
        if (status == null) {
            return new DomainException(DomainException.Kind.NOT_FOUND, "node " + nodeId + " not found");
        }
        return new DomainException(DomainException.Kind.CONFLICT, "node " + nodeId
                + (NodeStatus.fromDb(status) == NodeStatus.DISABLED ? " is disabled"
                : " does not offer these engines or already serves this subscription"));
    }

    /**
     * Locks the tenant's nodes that are not disabled, in id order, as every assignment does before it
     * reads them. A caller that is about to change one of those nodes (disable or delete it) and then
     * move its subscriptions calls this first: taking that node's lock out of order would deadlock
     * with an assignment for the same tenant that holds a lower node and waits for it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockTenantNodes(UUID tenantId) {
        jdbc.sql("SELECT id FROM nodes WHERE tenant_id = ? AND status <> ? ORDER BY id FOR UPDATE")
                .params(tenantId, NodeStatus.DISABLED.db()).query(UUID.class).list();
    }

    /**
     * Locks the tenant's nodes, then reads those that are not disabled with the engines they offer.
     * Lock first, count after: in READ COMMITTED the read then sees every assignment committed by
     * whoever held the lock before us.
     */
    private Candidates candidates(UUID tenantId) {
        lockTenantNodes(tenantId);
        return new Candidates(jdbc.sql("""
                        SELECT n.id, n.capacity, n.assigned_count, n.tags, n.last_assignment_seq,
                               ARRAY(SELECT e.key FROM jsonb_each(n.engines) e WHERE jsonb_typeof(e.value) = 'object')
                        FROM nodes n
                        WHERE n.tenant_id = ? AND n.status <> 'disabled'
                        ORDER BY n.id""")
                .param(tenantId)
                .query((rs, n) -> new Candidate(rs.getObject(1, UUID.class), (Integer) rs.getObject(2), rs.getLong(3),
                        List.of((String[]) rs.getArray(4).getArray()),
                        Set.of((String[]) rs.getArray(6).getArray()), rs.getLong(5)))
                .list());
    }

    /** The nodes the subscription is assigned to now. */
    private Set<UUID> serving(UUID subscriptionId) {
        return Set.copyOf(jdbc.sql("SELECT node_id FROM node_assignments WHERE subscription_id = ?")
                .param(subscriptionId).query(UUID.class).list());
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

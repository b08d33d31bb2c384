package dev.gatehouse.domain.node;

import dev.gatehouse.domain.model.Engine;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What each node must serve. The truth is the view {@code served_credentials}; {@code node_served}
 * holds what the node's change log says it serves. A sync compares the two only for the
 * credentials a change touches (its subscriptions, people, tenant or node), logs the difference
 * at a bumped revision, in the caller's transaction, and publishes the new revision after commit.
 * Agents read a snapshot at the current revision or the diff since theirs; the log below a node's
 * floor is compacted away, and a diff asked from below it is answered with a snapshot.
 */
public class DesiredState {

    /** A credential a node serves, by id and engine. */
    public record Entry(UUID credentialId, Engine engine) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return credentialId.compareTo(o.credentialId);
        }
    }

    /** What a change touches; the column of the served view and of node_served that selects it. */
    private enum Scope {
        NODE("node_id", "SELECT id FROM nodes WHERE id = ANY(?)"),
        SUBSCRIPTION("subscription_id", """
                SELECT node_id FROM node_assignments WHERE subscription_id = ANY(?)
                UNION SELECT node_id FROM node_served WHERE subscription_id = ANY(?)"""),
        USER("user_id", """
                SELECT a.node_id FROM node_assignments a JOIN subscriptions s ON s.id = a.subscription_id
                WHERE s.user_id = ANY(?)
                UNION SELECT node_id FROM node_served WHERE user_id = ANY(?)"""),
        TENANT("tenant_id", "SELECT id FROM nodes WHERE tenant_id = ANY(?)");

        private final String column;
        private final String affectedNodes;

        Scope(String column, String affectedNodes) {
            this.column = column;
            this.affectedNodes = affectedNodes;
        }
    }

    private record Change(boolean upsert, UUID nodeId, UUID credentialId, Engine engine, UUID subscriptionId,
                          UUID userId, UUID tenantId) {
    }

    /** A (node, credential) pair of the served view or of node_served; equal by the pair alone. */
    private record Served(UUID nodeId, UUID credentialId, Engine engine, UUID subscriptionId, UUID userId,
                          UUID tenantId) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Served other && nodeId.equals(other.nodeId) && credentialId.equals(other.credentialId);
        }

        @Override
        public int hashCode() {
            return nodeId.hashCode() * 31 + credentialId.hashCode();
        }

        Change change(boolean upsert) {
            return new Change(upsert, nodeId, credentialId, engine, subscriptionId, userId, tenantId);
        }
    }

    /**
     * The rows of the view or table for the keys, on the locked nodes. The node filter is applied
     * here, not in SQL: given all of a tenant's nodes, a planner may scan the whole table by node.
     */
    private Map<Served, Served> served(String table, Scope scope, UUID[] keys, Set<UUID> nodes) {
        Map<Served, Served> rows = new java.util.HashMap<>();
        jdbc.sql("""
                        SELECT node_id, credential_id, engine, subscription_id, user_id, tenant_id
                        FROM %s WHERE %s = ANY(?)""".formatted(table, scope.column))
                .param(keys)
                .query(rs -> {
                    Served row = new Served(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            Engine.fromDb(rs.getString(3)), rs.getObject(4, UUID.class), rs.getObject(5, UUID.class),
                            rs.getObject(6, UUID.class));
                    if (nodes.contains(row.nodeId())) {
                        rows.put(row, row);
                    }
                });
        return rows;
    }

    private static final String CREDENTIAL_COLUMNS = """
            c.id, c.engine, c.subscription_id, s.user_id, c.xray_uuid, c.xray_flow, c.xray_password,
            c.wg_public_key, c.wg_preshared_key, host(c.wg_address)""";

    private final JdbcClient jdbc;
    private final NodeEvents events;
    private final Clock clock;

    public DesiredState(JdbcClient jdbc, NodeEvents events, Clock clock) {
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
    }

    /** Syncs every node that serves or should serve any credential of these subscriptions. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void syncSubscriptions(Collection<UUID> subscriptionIds) {
        sync(Scope.SUBSCRIPTION, subscriptionIds, false);
    }

    /** Syncs every node that serves or should serve any credential of these people. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void syncUsers(Collection<UUID> userIds) {
        sync(Scope.USER, userIds, false);
    }

    /** Syncs every node of a tenant (its status changed). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void syncTenant(UUID tenantId) {
        sync(Scope.TENANT, List.of(tenantId), false);
    }

    /**
     * Recomputes whole nodes. With {@code configChanged} the revision is bumped even when the served
     * set stays, so that agents pick up the node's new engine configuration.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void syncNodes(Collection<UUID> nodeIds, boolean configChanged) {
        sync(Scope.NODE, nodeIds, configChanged);
    }

    private void sync(Scope scope, Collection<UUID> keys, boolean bumpAll) {
        if (keys.isEmpty()) {
            return;
        }
        UUID[] ids = keys.stream().distinct().toArray(UUID[]::new);
        JdbcClient.StatementSpec affected = jdbc.sql(scope.affectedNodes).param(ids);
        if (scope.affectedNodes.contains("UNION")) {
            affected = affected.param(ids);
        }
        UUID[] candidates = affected.query(UUID.class).list().toArray(UUID[]::new);
        if (candidates.length == 0) {
            return;
        }
        // Lock in id order, then compare: in READ COMMITTED the comparison sees every change
        // committed by whoever held a node before us, so two syncs never log the same change.
        UUID[] nodes = jdbc.sql("SELECT node_id FROM node_revisions WHERE node_id = ANY(?) ORDER BY node_id FOR UPDATE")
                .param(candidates).query(UUID.class).list().toArray(UUID[]::new);
        if (nodes.length == 0) {
            return;
        }
        // Planning the served join costs ~3 ms a time, more than running it for a few subscriptions;
        // its generic plan drives from the subscriptions' keys for one and for a bulk request of 500.
        boolean generic = scope == Scope.SUBSCRIPTION || scope == Scope.USER;
        if (generic) {
            jdbc.sql("SET LOCAL plan_cache_mode = force_generic_plan").update();
        }
        Set<UUID> locked = Set.of(nodes);
        Map<Served, Served> truth = served("served_credentials", scope, ids, locked);
        Map<Served, Served> logged = served("node_served", scope, ids, locked);
        if (generic) {
            jdbc.sql("SET LOCAL plan_cache_mode = auto").update();
        }
        // Compared here rather than in SQL: two plain reads by key stay cheap as the tables grow.
        List<Change> changes = new ArrayList<>();
        truth.values().stream().filter(t -> !logged.containsKey(t)).forEach(t -> changes.add(t.change(true)));
        logged.values().stream().filter(l -> !truth.containsKey(l)).forEach(l -> changes.add(l.change(false)));
        TreeSet<UUID> changed = new TreeSet<>();
        changes.forEach(ch -> changed.add(ch.nodeId()));
        if (bumpAll) {
            changed.addAll(List.of(nodes));
        }
        if (changed.isEmpty()) {
            return;
        }
        Map<UUID, Long> revisions = new TreeMap<>();
        jdbc.sql("""
                        UPDATE node_revisions SET desired_revision = desired_revision + 1, desired_changed_at = ?
                        WHERE node_id = ANY(?) RETURNING node_id, desired_revision""")
                .params(Timestamp.from(clock.instant()), changed.toArray(UUID[]::new))
                .query((rs, n) -> revisions.put(rs.getObject(1, UUID.class), rs.getLong(2))).list();
        if (!changes.isEmpty()) {
            record(changes, revisions);
        }
        revisions.forEach((node, revision) -> events.publishAfterCommit(new NodeEvent.RevisionChanged(node, revision)));
    }

    /** Logs the changes and applies them to node_served, each in one statement. */
    private void record(List<Change> changes, Map<UUID, Long> revisions) {
        int n = changes.size();
        UUID[] node = new UUID[n];
        Long[] revision = new Long[n];
        UUID[] credential = new UUID[n];
        String[] engine = new String[n];
        String[] action = new String[n];
        for (int i = 0; i < n; i++) {
            Change ch = changes.get(i);
            node[i] = ch.nodeId();
            revision[i] = revisions.get(ch.nodeId());
            credential[i] = ch.credentialId();
            engine[i] = ch.engine().db();
            action[i] = ch.upsert() ? "upsert" : "remove";
        }
        jdbc.sql("""
                        INSERT INTO node_state_changes (node_id, revision, credential_id, engine, action)
                        SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::text[], ?::text[])""")
                .params(node, revision, credential, engine, action).update();
        List<Change> upserts = changes.stream().filter(Change::upsert).toList();
        if (!upserts.isEmpty()) {
            jdbc.sql("""
                            INSERT INTO node_served (node_id, credential_id, engine, subscription_id, user_id, tenant_id,
                                                     revision)
                            SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[],
                                                 ?::bigint[])""")
                    .params(upserts.stream().map(Change::nodeId).toArray(UUID[]::new),
                            upserts.stream().map(Change::credentialId).toArray(UUID[]::new),
                            upserts.stream().map(ch -> ch.engine().db()).toArray(String[]::new),
                            upserts.stream().map(Change::subscriptionId).toArray(UUID[]::new),
                            upserts.stream().map(Change::userId).toArray(UUID[]::new),
                            upserts.stream().map(Change::tenantId).toArray(UUID[]::new),
                            upserts.stream().map(ch -> revisions.get(ch.nodeId())).toArray(Long[]::new))
                    .update();
        }
        List<Change> removals = changes.stream().filter(ch -> !ch.upsert()).toList();
        if (!removals.isEmpty()) {
            jdbc.sql("""
                            DELETE FROM node_served s USING unnest(?::uuid[], ?::uuid[]) AS r(node_id, credential_id)
                            WHERE s.node_id = r.node_id AND s.credential_id = r.credential_id""")
                    .params(removals.stream().map(Change::nodeId).toArray(UUID[]::new),
                            removals.stream().map(Change::credentialId).toArray(UUID[]::new))
                    .update();
        }
    }

    /** Everything the node must serve now, at its current revision; empty when the node is gone. */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<NodeSnapshot> snapshot(UUID nodeId) {
        return revision(nodeId).map(r -> new NodeSnapshot(nodeId, r.desired(), config(nodeId), jdbc.sql(
                        "SELECT " + CREDENTIAL_COLUMNS + """
                                 FROM node_served ns
                                JOIN engine_credentials c ON c.id = ns.credential_id
                                JOIN subscriptions s ON s.id = c.subscription_id
                                WHERE ns.node_id = ? ORDER BY c.id""")
                .param(nodeId).query((rs, n) -> credentialAt(rs, 1)).list()));
    }

    /**
     * The changes since {@code fromRevision}; empty when only a snapshot can bring the agent level:
     * the node is gone, the revision is below the compacted floor, or ahead of the desired one.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<NodeDiff> diff(UUID nodeId, long fromRevision) {
        Optional<Revision> found = revision(nodeId);
        if (found.isEmpty() || fromRevision < found.get().floor() || fromRevision > found.get().desired()) {
            return Optional.empty();
        }
        long to = found.get().desired();
        List<ServedCredential> upserts = new ArrayList<>();
        List<Entry> removals = new ArrayList<>();
        if (fromRevision < to) {
            jdbc.sql("""
                            SELECT last.action, last.credential_id, last.engine,
                            """ + CREDENTIAL_COLUMNS + """
                             FROM (SELECT DISTINCT ON (credential_id) credential_id, engine, action
                                   FROM node_state_changes WHERE node_id = ? AND revision > ?
                                   ORDER BY credential_id, revision DESC) last
                            LEFT JOIN engine_credentials c ON c.id = last.credential_id AND last.action = 'upsert'
                            LEFT JOIN subscriptions s ON s.id = c.subscription_id
                            ORDER BY last.credential_id""")
                    .params(nodeId, fromRevision)
                    .query(rs -> {
                        if ("upsert".equals(rs.getString(1)) && rs.getObject(4) != null) {
                            upserts.add(credentialAt(rs, 4));
                        } else if (!"upsert".equals(rs.getString(1))) {
                            removals.add(new Entry(rs.getObject(2, UUID.class), Engine.fromDb(rs.getString(3))));
                        }
                    });
        }
        return Optional.of(new NodeDiff(nodeId, fromRevision, to, config(nodeId), upserts, removals));
    }

    /** The node's desired revision and log floor. */
    public record Revision(long desired, long applied, long floor) {
    }

    public Optional<Revision> revision(UUID nodeId) {
        return jdbc.sql("SELECT desired_revision, applied_revision, log_floor FROM node_revisions WHERE node_id = ?")
                .param(nodeId).query((rs, n) -> new Revision(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                .optional();
    }

    /**
     * Drops the node's change log at and below {@code floor} (capped at its desired revision); an
     * agent older than the floor then gets a snapshot. Returns the rows removed.
     */
    @Transactional
    public int compact(UUID nodeId, long floor) {
        Long applied = jdbc.sql("""
                        UPDATE node_revisions SET log_floor = LEAST(?, desired_revision)
                        WHERE node_id = ? AND log_floor < LEAST(?, desired_revision) RETURNING log_floor""")
                .params(floor, nodeId, floor).query(Long.class).optional().orElse(null);
        if (applied == null) {
            return 0;
        }
        return jdbc.sql("DELETE FROM node_state_changes WHERE node_id = ? AND revision <= ?")
                .params(nodeId, applied).update();
    }

    /** Compacts every node's log below its newest revision logged before {@code before}. */
    @Transactional
    public int compactOlderThan(Instant before) {
        List<Map.Entry<UUID, Long>> floors = jdbc.sql("""
                        SELECT node_id, max(revision) FROM node_state_changes WHERE created_at < ? GROUP BY node_id""")
                .param(Timestamp.from(before))
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2))).list();
        int removed = 0;
        for (Map.Entry<UUID, Long> floor : floors) {
            removed += compact(floor.getKey(), floor.getValue());
        }
        return removed;
    }

    /** Tells the collectors to end the node's session (disabled or deleted). */
    public void closed(UUID nodeId, NodeEvent.Reason reason) {
        events.publishAfterCommit(new NodeEvent.Closed(nodeId, reason));
    }

    /** The credentials the served rule gives the node now. */
    public TreeSet<Entry> truth(UUID nodeId) {
        return new TreeSet<>(jdbc.sql("SELECT credential_id, engine FROM served_credentials WHERE node_id = ?")
                .param(nodeId).query((rs, n) -> new Entry(rs.getObject(1, UUID.class), Engine.fromDb(rs.getString(2))))
                .list());
    }

    /** The credentials the node's change log says it serves (what agents have been told). */
    public TreeSet<Entry> logged(UUID nodeId) {
        return new TreeSet<>(jdbc.sql("SELECT credential_id, engine FROM node_served WHERE node_id = ?")
                .param(nodeId).query((rs, n) -> new Entry(rs.getObject(1, UUID.class), Engine.fromDb(rs.getString(2))))
                .list());
    }

    /** The nodes a subscription is assigned to. */
    public List<UUID> nodesOf(UUID subscriptionId) {
        return jdbc.sql("SELECT node_id FROM node_assignments WHERE subscription_id = ?").param(subscriptionId)
                .query(UUID.class).list();
    }

    private NodeEngineSettings config(UUID nodeId) {
        return NodeEngineSettings.parse(jdbc.sql("SELECT engines::text FROM nodes WHERE id = ?").param(nodeId)
                .query(String.class).optional().orElse(null));
    }

    /** Reads the CREDENTIAL_COLUMNS starting at column {@code first}. */
    private static ServedCredential credentialAt(ResultSet rs, int first) throws SQLException {
        int i = first;
        return new ServedCredential(rs.getObject(i, UUID.class), Engine.fromDb(rs.getString(i + 1)),
                rs.getObject(i + 2, UUID.class), rs.getObject(i + 3, UUID.class), rs.getObject(i + 4, UUID.class),
                rs.getString(i + 5), rs.getString(i + 6), rs.getString(i + 7), rs.getString(i + 8),
                rs.getString(i + 9));
    }
}

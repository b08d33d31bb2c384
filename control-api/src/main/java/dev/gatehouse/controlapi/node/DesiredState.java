package dev.gatehouse.controlapi.node;

import dev.gatehouse.controlapi.config.AfterCommit;
import dev.gatehouse.controlapi.config.RedisKeys;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What each node must serve. The truth is a query over subscriptions, credentials, assignments and
 * engine overrides; {@link #sync} compares it with what the node's change log says it serves and,
 * when they differ, bumps the node's revision and logs the difference, in the caller's transaction.
 * After commit, a Redis notification tells the collector to push the new revision to the agent.
 */
@Component
public class DesiredState {

    /** A credential a node serves, by id and engine. */
    public record Entry(UUID credentialId, String engine) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return credentialId.compareTo(o.credentialId);
        }
    }

    /** The notification channel; each message is "NODE_ID REVISION". */
    public static final String CHANNEL = "node-desired-state";

    private static final String TRUTH = """
            SELECT c.id, c.engine
            FROM node_assignments a
            JOIN nodes n ON n.id = a.node_id
            JOIN subscriptions s ON s.id = a.subscription_id
            JOIN users u ON u.id = s.user_id AND u.status = 'active'
            JOIN engine_credentials c ON c.subscription_id = s.id AND c.status = 'active'
            LEFT JOIN user_engines ue ON ue.user_id = s.user_id
            WHERE a.node_id = ?
              AND n.status <> 'disabled'
              AND s.state IN ('active', 'on_hold')
              AND c.engine = ANY(COALESCE(ue.engines, s.engines))
              AND jsonb_typeof(n.engines -> c.engine) = 'object'""";

    private static final String LOGGED = """
            SELECT credential_id, engine FROM (
                SELECT DISTINCT ON (credential_id) credential_id, engine, action
                FROM node_state_changes WHERE node_id = ?
                ORDER BY credential_id, revision DESC) last
            WHERE action = 'upsert'""";

    private final JdbcClient jdbc;
    private final StringRedisTemplate redis;
    private final String channel;

    DesiredState(JdbcClient jdbc, StringRedisTemplate redis, RedisKeys keys) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.channel = keys.key(CHANNEL);
    }

    /** The credentials the node must serve now. */
    public TreeSet<Entry> truth(UUID nodeId) {
        return new TreeSet<>(jdbc.sql(TRUTH).param(nodeId)
                .query((rs, n) -> new Entry(rs.getObject(1, UUID.class), rs.getString(2))).list());
    }

    /** The credentials the node's change log says it serves (what diffs have told the agent). */
    public TreeSet<Entry> logged(UUID nodeId) {
        return new TreeSet<>(jdbc.sql(LOGGED).param(nodeId)
                .query((rs, n) -> new Entry(rs.getObject(1, UUID.class), rs.getString(2))).list());
    }

    /** Brings each node's change log level with the truth; nodes are locked in id order. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void sync(Collection<UUID> nodeIds) {
        for (UUID nodeId : new TreeSet<>(nodeIds)) {
            Long current = jdbc.sql("SELECT desired_revision FROM node_revisions WHERE node_id = ? FOR UPDATE")
                    .param(nodeId).query(Long.class).optional().orElse(null);
            if (current == null) {
                continue; // the node is gone
            }
            TreeSet<Entry> truth = truth(nodeId);
            TreeSet<Entry> logged = logged(nodeId);
            List<Entry> added = truth.stream().filter(e -> !logged.contains(e)).toList();
            List<Entry> removed = logged.stream().filter(e -> !truth.contains(e)).toList();
            if (added.isEmpty() && removed.isEmpty()) {
                continue;
            }
            long revision = current + 1;
            jdbc.sql("UPDATE node_revisions SET desired_revision = ?, desired_changed_at = now() WHERE node_id = ?")
                    .params(revision, nodeId).update();
            for (Entry e : added) {
                log(nodeId, revision, e, "upsert");
            }
            for (Entry e : removed) {
                log(nodeId, revision, e, "remove");
            }
            String message = nodeId + " " + revision;
            AfterCommit.run(() -> redis.convertAndSend(channel, message));
        }
    }

    /** The nodes a subscription is assigned to. */
    public List<UUID> nodesOf(UUID subscriptionId) {
        return jdbc.sql("SELECT node_id FROM node_assignments WHERE subscription_id = ?").param(subscriptionId)
                .query(UUID.class).list();
    }

    /** The nodes any subscription of the user is assigned to. */
    public List<UUID> nodesOfUser(UUID userId) {
        return jdbc.sql("""
                        SELECT DISTINCT a.node_id FROM node_assignments a
                        JOIN subscriptions s ON s.id = a.subscription_id WHERE s.user_id = ?""")
                .param(userId).query(UUID.class).list();
    }

    private void log(UUID nodeId, long revision, Entry e, String action) {
        jdbc.sql("""
                        INSERT INTO node_state_changes (node_id, revision, credential_id, engine, action)
                        VALUES (?, ?, ?, ?, ?)""")
                .params(nodeId, revision, e.credentialId(), e.engine(), action).update();
    }
}

package dev.gatehouse.scheduler.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.scheduler.SchedulerIT;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Node health, re-homing, full sync, change-log compaction, purges and the node CA's rotation. */
class NodeJobsIT extends SchedulerIT {

    @Autowired
    DesiredState desired;
    @Autowired
    NodeCa ca;

    private String status(UUID node) {
        return jdbc.sql("SELECT status FROM nodes WHERE id = ?").param(node).query(String.class).single();
    }

    @Test
    void aNodeSilentPastTheTtlGoesOfflineButADisabledOneStaysDisabled() {
        UUID tenant = fixtures().tenant();
        UUID silent = fixtures().node(tenant);
        UUID alive = fixtures().node(tenant);
        UUID disabled = fixtures().node(tenant);
        jdbc.sql("UPDATE nodes SET last_seen_at = now() - interval '10 minutes' WHERE id IN (?, ?)")
                .params(silent, disabled).update();
        jdbc.sql("UPDATE nodes SET last_seen_at = now() WHERE id = ?").param(alive).update();
        jdbc.sql("UPDATE nodes SET status = 'disabled' WHERE id = ?").param(disabled).update();

        run("node-health");

        assertThat(status(silent)).isEqualTo("offline");
        assertThat(status(alive)).isEqualTo("online");
        assertThat(status(disabled)).isEqualTo("disabled");
    }

    @Test
    void aSubscriptionLeftWithoutANodeIsRehomedOnceANodeHasRoomAndItsRedundancyRestored() {
        UUID tenant = fixtures().tenant();
        UUID first = fixtures().node(tenant);
        UUID second = fixtures().node(tenant);
        jdbc.sql("UPDATE nodes SET capacity = 0 WHERE id IN (?, ?)").params(first, second).update();
        UUID sub = fixtures().subscription(tenant, fixtures().person(tenant), fixtures().plan(tenant, null), List.of());
        jdbc.sql("UPDATE subscriptions SET redundancy = 1 WHERE id = ?").param(sub).update();

        run("reconcile");
        assertThat(desired.nodesOf(sub)).isEmpty();

        jdbc.sql("UPDATE nodes SET capacity = 10 WHERE id = ?").param(first).update();
        run("reconcile");
        assertThat(desired.nodesOf(sub)).containsExactly(first);
        assertThat(jdbc.sql("SELECT count(*) FROM node_served WHERE node_id = ? AND subscription_id = ?")
                .params(first, sub).query(Long.class).single()).isEqualTo(2);

        jdbc.sql("UPDATE nodes SET capacity = 10 WHERE id = ?").param(second).update();
        run("reconcile");
        assertThat(desired.nodesOf(sub)).containsExactlyInAnyOrder(first, second);
        assertThat(run("reconcile").rows()).isZero();
    }

    @Test
    void theFullSyncRestoresWhatTheChangeLogLostAndCompactionDropsOldEntries() {
        UUID tenant = fixtures().tenant();
        UUID node = fixtures().node(tenant);
        UUID sub = fixtures().subscription(tenant, fixtures().person(tenant), fixtures().plan(tenant, null),
                List.of(node));
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
        // Changed by hand in the database: the log no longer says the node serves one credential.
        jdbc.sql("DELETE FROM node_served WHERE node_id = ? AND credential_id = (SELECT min(credential_id::text)::uuid"
                + " FROM node_served WHERE node_id = ?)").params(node, node).update();
        long before = fixtures().revision(node);

        run("full-sync");

        assertThat(fixtures().revision(node)).isEqualTo(before + 1);
        assertThat(desired.logged(node)).isEqualTo(desired.truth(node));

        jdbc.sql("UPDATE node_state_changes SET created_at = now() - interval '2 days' WHERE node_id = ?").param(node)
                .update();
        assertThat(run("change-log-compaction").rows()).isPositive();
        assertThat(jdbc.sql("SELECT count(*) FROM node_state_changes WHERE node_id = ?").param(node)
                .query(Long.class).single()).isZero();
        assertThat(desired.revision(node).orElseThrow().floor()).isEqualTo(before + 1);
    }

    @Test
    void expiredTokensSessionsAndOldRunsArePurgedAndLiveOnesKept() {
        UUID tenant = fixtures().tenant();
        UUID node = fixtures().node(tenant);
        UUID person = fixtures().person(tenant);
        jdbc.sql("""
                        INSERT INTO enrollment_tokens (node_id, token_hash, expires_at)
                        VALUES (?, decode(md5('a') || md5('b'), 'hex'), now() - interval '1 hour'),
                               (?, decode(md5('c') || md5('d'), 'hex'), now() + interval '1 hour')""")
                .params(node, node).update();
        jdbc.sql("""
                        INSERT INTO auth_sessions (user_id, expires_at) VALUES (?, now() - interval '1 hour'),
                                                                               (?, now() + interval '1 day')""")
                .params(person, person).update();
        jdbc.sql("INSERT INTO job_runs (job, instance, token, started_at, outcome) VALUES ('old', 'x', 1,"
                + " now() - interval '60 days', 'succeeded')").update();

        run("purge");

        assertThat(jdbc.sql("SELECT count(*) FROM enrollment_tokens WHERE node_id = ?").param(node)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM auth_sessions WHERE user_id = ?").param(person)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM job_runs WHERE job = 'old'").query(Long.class).single()).isZero();
    }

    @Test
    void theNodeCaIsRotatedStepByStepAndNeverForced() {
        ca.fingerprint();
        NodeCa.Authority old = ca.list(10, 0).stream().filter(NodeCa.Authority::issuing).findFirst().orElseThrow();
        UUID tenant = fixtures().tenant();
        UUID node = fixtures().node(tenant);
        // A node certificate issued by the old CA before any new one was staged, still valid.
        jdbc.sql("""
                        INSERT INTO node_certificates (serial, node_id, fingerprint, not_before, not_after, ca_id, created_at)
                        VALUES (?, ?, repeat('a', 64), now() - interval '1 day', now() + interval '400 days', ?,
                                now() - interval '1 day')""")
                .params("ab" + System.nanoTime(), node, old.id()).update();

        // A year on, the CA is due for rotation.
        CLOCK.set(Instant.now().plus(Duration.ofDays(366)));
        run("ca-rotation");
        NodeCa.Authority staged = ca.list(10, 0).stream().filter(a -> a.state() == NodeCa.State.STAGED).findFirst()
                .orElseThrow();

        // That node has not renewed yet: promoting would cut it off, so the job waits.
        CLOCK.set(Instant.now().plus(Duration.ofDays(1)));
        run("ca-rotation");
        assertThat(ca.find(staged.id()).orElseThrow().state()).isEqualTo(NodeCa.State.STAGED);

        jdbc.sql("UPDATE node_certificates SET revoked_at = now() WHERE node_id = ?").param(node).update();
        run("ca-rotation");
        assertThat(ca.find(staged.id()).orElseThrow().state()).isEqualTo(NodeCa.State.ISSUING);
        assertThat(ca.find(old.id()).orElseThrow().state()).isEqualTo(NodeCa.State.TRUSTED);

        run("ca-rotation");
        assertThat(ca.find(old.id()).orElseThrow().state()).isEqualTo(NodeCa.State.RETIRED);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE actor_kind = 'system' AND action LIKE 'node_ca.%'"
                + " AND target_id IN (?, ?)").params(old.id().toString(), staged.id().toString()).query(Long.class)
                .single()).isEqualTo(3);
    }
}

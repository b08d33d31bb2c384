package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.domain.model.Engine;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The served rule, incremental sync, snapshots, diffs and compaction against a real PostgreSQL. */
class DesiredStateIT extends DomainIT {

    @Autowired
    DesiredState desired;

    @Test
    void aSuspendedTenantLeavesEveryNodeAndComesBackOnResumption() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID a = f.node(tenant);
        UUID b = f.node(tenant);
        UUID sub = f.subscription(tenant, f.person(tenant), f.plan(tenant, null), List.of(a, b));
        inTx(() -> desired.syncSubscriptions(List.of(sub)));
        assertThat(desired.logged(a)).hasSize(2);
        assertThat(desired.logged(b)).hasSize(2);

        jdbc.sql("UPDATE tenants SET status = 'suspended' WHERE id = ?").param(tenant).update();
        assertThat(desired.truth(a)).isEmpty();
        inTx(() -> desired.syncTenant(tenant));
        assertThat(desired.logged(a)).isEmpty();
        assertThat(desired.logged(b)).isEmpty();

        jdbc.sql("UPDATE tenants SET status = 'active' WHERE id = ?").param(tenant).update();
        inTx(() -> desired.syncTenant(tenant));
        assertThat(desired.logged(a)).hasSize(2).isEqualTo(desired.truth(a));
        assertThat(desired.logged(b)).hasSize(2).isEqualTo(desired.truth(b));
    }

    @Test
    void aSubscriptionPastItsExpiryIsNotServedBeforeAnyJobMarksIt() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID sub = f.subscription(tenant, f.person(tenant), f.plan(tenant, null), List.of(node));
        inTx(() -> desired.syncSubscriptions(List.of(sub)));
        assertThat(desired.logged(node)).hasSize(2);

        jdbc.sql("UPDATE subscriptions SET starts_at = now() - interval '1 hour', expires_at = now() - interval '1 second' WHERE id = ?").param(sub).update();
        assertThat(jdbc.sql("SELECT state FROM subscriptions WHERE id = ?").param(sub).query(String.class).single())
                .isEqualTo("active");
        assertThat(desired.truth(node)).isEmpty();
        inTx(() -> desired.syncSubscriptions(List.of(sub)));
        assertThat(desired.logged(node)).isEmpty();
    }

    @Test
    void aSyncLogsOnlyWhatItsChangeTouchesAtOneNewRevision() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        List<UUID> subs = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> f.subscription(tenant, f.person(tenant), plan, List.of(node))).toList();
        inTx(() -> desired.syncSubscriptions(subs));
        assertThat(f.revision(node)).isEqualTo(1);
        assertThat(desired.logged(node)).hasSize(100);

        UUID another = f.subscription(tenant, f.person(tenant), plan, List.of(node));
        inTx(() -> desired.syncSubscriptions(List.of(another)));
        assertThat(f.revision(node)).isEqualTo(2);
        assertThat(jdbc.sql("SELECT credential_id FROM node_state_changes WHERE node_id = ? AND revision = 2")
                .param(node).query(UUID.class).set()).isEqualTo(Set.copyOf(f.credentials(another)));

        // Nothing changed: no new revision, no log rows.
        inTx(() -> desired.syncSubscriptions(subs));
        assertThat(f.revision(node)).isEqualTo(2);
    }

    @Test
    void snapshotsAndDiffsCarryTheNodeConfigurationAndTheCredentials() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        UUID first = f.subscription(tenant, f.person(tenant), plan, List.of(node));
        inTx(() -> desired.syncSubscriptions(List.of(first)));
        UUID second = f.subscription(tenant, f.person(tenant), plan, List.of(node));
        inTx(() -> desired.syncSubscriptions(List.of(second)));
        jdbc.sql("UPDATE subscriptions SET state = 'suspended' WHERE id = ?").param(first).update();
        inTx(() -> desired.syncSubscriptions(List.of(first)));

        NodeSnapshot snapshot = desired.snapshot(node).orElseThrow();
        assertThat(snapshot.revision()).isEqualTo(3);
        assertThat(snapshot.credentials()).extracting(ServedCredential::subscriptionId).containsOnly(second);
        assertThat(snapshot.credentials()).extracting(ServedCredential::engine)
                .containsExactlyInAnyOrder(Engine.XRAY, Engine.WIREGUARD);
        ServedCredential wg = snapshot.credentials().stream().filter(c -> c.engine() == Engine.WIREGUARD).findFirst()
                .orElseThrow();
        assertThat(wg.wgPublicKey()).hasSize(44);
        assertThat(wg.wgAddress()).startsWith("10.");
        NodeEngineSettings config = snapshot.config();
        assertThat(config.xray().inbounds()).singleElement().satisfies(i -> {
            assertThat(i.tag()).isEqualTo("vless-in");
            assertThat(i.port()).isEqualTo(443);
            assertThat(i.flow()).isEqualTo(InboundOptions.Flow.XTLS_RPRX_VISION);
            assertThat(i.reality().publicKey()).hasSize(43);
        });
        assertThat(config.wireguard().interfaceName()).isEqualTo("wg0");
        assertThat(config.wireguard().listenPort()).isEqualTo(51820);
        assertThat(config.wireguard().address()).isEqualTo("10.66.0.1/16");

        NodeDiff fromOne = desired.diff(node, 1).orElseThrow();
        assertThat(fromOne.toRevision()).isEqualTo(3);
        assertThat(fromOne.config()).isEqualTo(config);
        assertThat(fromOne.upserts()).extracting(ServedCredential::subscriptionId).containsOnly(second);
        assertThat(fromOne.removals()).extracting(DesiredState.Entry::credentialId)
                .containsExactlyInAnyOrderElementsOf(f.credentials(first));
        assertThat(desired.diff(node, 3).orElseThrow().empty()).isTrue();
        assertThat(desired.diff(node, 4)).as("an agent ahead of the panel gets a snapshot").isEmpty();
    }

    @Test
    void aDiffFromBelowTheCompactedFloorIsASnapshot() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        for (int i = 0; i < 4; i++) {
            UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of(node));
            inTx(() -> desired.syncSubscriptions(List.of(sub)));
        }
        assertThat(desired.compact(node, 2)).isEqualTo(4);
        assertThat(desired.diff(node, 1)).isEmpty();
        assertThat(desired.diff(node, 2).orElseThrow().upserts()).hasSize(4);
        assertThat(desired.snapshot(node).orElseThrow().credentials()).hasSize(8);
        assertThat(desired.compact(node, 100)).as("the floor stops at the desired revision").isEqualTo(4);
        assertThat(desired.revision(node).orElseThrow().floor()).isEqualTo(4);
        assertThat(desired.diff(node, 4).orElseThrow().empty()).isTrue();
    }

    @Test
    void aConfigurationChangeBumpsTheRevisionEvenWhenTheServedSetStays() {
        Fixtures f = fixtures();
        UUID node = f.node(f.tenant());
        inTx(() -> desired.syncNodes(List.of(node), false));
        assertThat(f.revision(node)).isZero();
        inTx(() -> desired.syncNodes(List.of(node), true));
        assertThat(f.revision(node)).isEqualTo(1);
    }

    @Test
    void concurrentSyncsOfOneNodeNeverLogTheSameChangeTwice() throws Exception {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        List<UUID> subs = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> f.subscription(tenant, f.person(tenant), plan, List.of(node))).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Object>> work = new java.util.ArrayList<>();
            for (UUID sub : subs) {
                work.add(() -> {
                    inTx(() -> desired.syncSubscriptions(List.of(sub)));
                    return null;
                });
                work.add(() -> {
                    inTx(() -> desired.syncNodes(List.of(node), false));
                    return null;
                });
            }
            for (Future<Object> done : pool.invokeAll(work)) {
                done.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(desired.logged(node)).hasSize(40).isEqualTo(desired.truth(node));
        assertThat(jdbc.sql("SELECT count(*) FROM node_state_changes WHERE node_id = ?").param(node)
                .query(Long.class).single()).isEqualTo(40);
        Set<Long> revisions = jdbc.sql("SELECT DISTINCT revision FROM node_state_changes WHERE node_id = ?")
                .param(node).query(Long.class).list().stream().collect(Collectors.toSet());
        assertThat(revisions).allMatch(r -> r >= 1 && r <= f.revision(node));
    }

    private void inTx(Runnable work) {
        tx.executeWithoutResult(status -> work.run());
    }
}

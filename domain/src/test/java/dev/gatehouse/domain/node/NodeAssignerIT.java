package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.domain.support.DomainException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Assignment by strategy and the scheduler's top-up of live subscriptions short of nodes, on a real PostgreSQL. */
class NodeAssignerIT extends DomainIT {

    private static final String[] BOTH = {"xray", "wireguard"};

    @Autowired
    NodeAssigner assigner;
    @Autowired
    DesiredState desired;

    @Test
    void aSubscriptionLeftWithoutANodeForLackOfRoomIsAssignedOnceANodeHasRoom() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID node = node(f, tenant, 1);
        f.subscription(tenant, f.person(tenant), plan, List.of(node));
        UUID waiting = f.subscription(tenant, f.person(tenant), plan, List.of());
        assertThat(allShort()).contains(waiting);

        assertThat(topUp(waiting)).isEqualTo(new NodeAssigner.TopUp(0, 0, 1));
        assertThat(roles(waiting)).isEmpty();

        jdbc.sql("UPDATE nodes SET capacity = 2 WHERE id = ?").param(node).update();
        assertThat(topUp(waiting)).isEqualTo(new NodeAssigner.TopUp(1, 0, 0));
        assertThat(roles(waiting)).isEqualTo(Map.of(node, "primary"));
        assertThat(allShort()).doesNotContain(waiting);
    }

    @Test
    void redundancyIsRestoredAfterANodeIsDeletedAndARedundantNodeTakesOverFromAGonePrimary() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID a = f.node(tenant);
        UUID b = f.node(tenant);
        UUID c = f.node(tenant);
        UUID lostPrimary = redundancy(f.subscription(tenant, f.person(tenant), plan, List.of(a, b)), 1);
        UUID lostRedundant = redundancy(f.subscription(tenant, f.person(tenant), plan, List.of(b, a)), 1);
        UUID whole = redundancy(f.subscription(tenant, f.person(tenant), plan, List.of(b, c)), 1);

        jdbc.sql("DELETE FROM nodes WHERE id = ?").param(a).update();
        assertThat(allShort()).contains(lostPrimary, lostRedundant).doesNotContain(whole);

        assertThat(topUp(lostPrimary, lostRedundant, whole)).isEqualTo(new NodeAssigner.TopUp(2, 1, 0));
        assertThat(roles(lostPrimary)).isEqualTo(Map.of(b, "primary", c, "redundant"));
        assertThat(roles(lostRedundant)).isEqualTo(Map.of(b, "primary", c, "redundant"));
        assertThat(roles(whole)).isEqualTo(Map.of(b, "primary", c, "redundant"));
        assertThat(allShort()).doesNotContain(lostPrimary, lostRedundant);
    }

    @Test
    void byTagTakesOnlyNodesThatCarryEveryTagOfTheSubscription() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID euOnly = tagged(f.node(tenant), "eu");
        UUID fastEu = tagged(f.node(tenant), "eu", "fast");
        UUID untagged = f.node(tenant);
        UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of());
        strategy(sub, AssignmentStrategy.BY_TAG, "eu", "fast");
        redundancy(sub, 1);

        assertThat(topUp(sub)).isEqualTo(new NodeAssigner.TopUp(1, 0, 1));
        assertThat(roles(sub)).isEqualTo(Map.of(fastEu, "primary"));

        tagged(untagged, "fast", "eu", "extra");
        assertThat(topUp(sub)).isEqualTo(new NodeAssigner.TopUp(1, 0, 0));
        assertThat(roles(sub)).isEqualTo(Map.of(fastEu, "primary", untagged, "redundant"));
        assertThat(roles(sub)).doesNotContainKey(euOnly);
    }

    @Test
    void aManualSubscriptionIsToppedUpByCapacityAmongItsTenantsEnabledNodesThatOfferItsEngines() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID other = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID small = node(f, tenant, 5);
        UUID roomy = node(f, tenant, 50);
        UUID disabled = f.node(tenant);
        jdbc.sql("UPDATE nodes SET status = 'disabled' WHERE id = ?").param(disabled).update();
        UUID offersNothing = f.node(tenant, "{}", 1.0);
        f.node(other);
        UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of());
        strategy(sub, AssignmentStrategy.MANUAL);
        redundancy(sub, 3);

        assertThat(topUp(sub)).isEqualTo(new NodeAssigner.TopUp(2, 0, 1));
        assertThat(roles(sub)).isEqualTo(Map.of(roomy, "primary", small, "redundant"));
        assertThat(roles(sub)).doesNotContainKeys(disabled, offersNothing);
    }

    @Test
    void aSecondTopUpChangesNothing() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID a = f.node(tenant);
        UUID b = f.node(tenant);
        UUID unassigned = redundancy(f.subscription(tenant, f.person(tenant), plan, List.of()), 1);
        UUID noPrimary = f.subscription(tenant, f.person(tenant), plan, List.of(a));
        jdbc.sql("UPDATE node_assignments SET role = 'redundant' WHERE subscription_id = ?").param(noPrimary).update();
        UUID crowded = f.subscription(tenant, f.person(tenant), plan, List.of());
        jdbc.sql("UPDATE nodes SET capacity = assigned_count + 3 WHERE id IN (?, ?)").params(a, b).update();

        NodeAssigner.TopUp first = topUp(unassigned, noPrimary, crowded);
        assertThat(first).isEqualTo(new NodeAssigner.TopUp(3, 1, 0));
        long revisionA = f.revision(a);
        long revisionB = f.revision(b);
        Map<UUID, Map<UUID, String>> before = Map.of(unassigned, roles(unassigned), noPrimary, roles(noPrimary),
                crowded, roles(crowded));

        assertThat(topUp(unassigned, noPrimary, crowded)).isEqualTo(new NodeAssigner.TopUp(0, 0, 0));
        assertThat(Map.of(unassigned, roles(unassigned), noPrimary, roles(noPrimary), crowded, roles(crowded)))
                .isEqualTo(before);
        assertThat(f.revision(a)).isEqualTo(revisionA);
        assertThat(f.revision(b)).isEqualTo(revisionB);
    }

    @Test
    void shortOfNodesPagesInIdOrderThroughLiveSubscriptionsOnly() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID a = f.node(tenant);
        UUID b = f.node(tenant);
        Set<UUID> expected = new HashSet<>();
        Set<UUID> ignored = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            expected.add(f.subscription(tenant, f.person(tenant), plan, List.of()));
            expected.add(state(f.subscription(tenant, f.person(tenant), plan, List.of()), "on_hold"));
            expected.add(redundancy(f.subscription(tenant, f.person(tenant), plan, List.of(a)), 1));
            UUID noPrimary = f.subscription(tenant, f.person(tenant), plan, List.of(b));
            jdbc.sql("UPDATE node_assignments SET role = 'redundant' WHERE subscription_id = ?").param(noPrimary)
                    .update();
            expected.add(noPrimary);
            for (String ended : List.of("expired", "suspended", "disabled", "exhausted")) {
                ignored.add(state(f.subscription(tenant, f.person(tenant), plan, List.of()), ended));
            }
            ignored.add(f.subscription(tenant, f.person(tenant), plan, List.of(a)));
            ignored.add(redundancy(f.subscription(tenant, f.person(tenant), plan, List.of(a, b)), 1));
            ignored.add(f.subscription(tenant, f.person(tenant), plan, List.of(a, b)));
        }

        List<UUID> paged = new ArrayList<>();
        UUID after = null;
        for (List<UUID> page = assigner.shortOfNodes(null, 5); !page.isEmpty();
             page = assigner.shortOfNodes(after, 5)) {
            assertThat(page.size()).isLessThanOrEqualTo(5);
            paged.addAll(page);
            after = page.get(page.size() - 1);
        }
        assertThat(paged).doesNotHaveDuplicates().containsAll(expected).doesNotContainAnyElementsOf(ignored);
        assertThat(paged).isEqualTo(assigner.shortOfNodes(null, Integer.MAX_VALUE));
        assertThat(paged).isEqualTo(jdbc.sql("SELECT id FROM subscriptions WHERE id = ANY(?) ORDER BY id")
                .param(paged.toArray(UUID[]::new)).query(UUID.class).list());
        int middle = paged.indexOf(paged.stream().filter(expected::contains).findFirst().orElseThrow());
        assertThat(assigner.shortOfNodes(paged.get(middle), 2)).isEqualTo(paged.subList(middle + 1,
                Math.min(middle + 3, paged.size())));
    }

    @Test
    void theNodesServeWhatATopUpAssigned() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID a = f.node(tenant);
        UUID b = f.node(tenant);
        UUID sub = redundancy(f.subscription(tenant, f.person(tenant), plan, List.of()), 1);
        UUID onA = f.subscription(tenant, f.person(tenant), plan, List.of(a));
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(onA)));
        long revisionA = f.revision(a);
        assertThat(desired.logged(a)).hasSize(2);
        assertThat(desired.logged(b)).isEmpty();

        assertThat(topUp(sub)).isEqualTo(new NodeAssigner.TopUp(2, 0, 0));

        assertThat(desired.logged(a)).extracting(DesiredState.Entry::credentialId).containsAll(f.credentials(sub));
        assertThat(desired.logged(b)).extracting(DesiredState.Entry::credentialId)
                .containsExactlyInAnyOrderElementsOf(f.credentials(sub));
        assertThat(desired.logged(a)).hasSize(4).isEqualTo(desired.truth(a));
        assertThat(desired.logged(b)).hasSize(2).isEqualTo(desired.truth(b));
        assertThat(f.revision(a)).isEqualTo(revisionA + 1);
        assertThat(jdbc.sql("SELECT count(*) FROM node_served WHERE subscription_id = ?").param(sub)
                .query(Long.class).single()).isEqualTo(4);
    }

    @Test
    void aSubscriptionAnotherChangeHoldsIsLeftForTheNextRunWithoutWaiting() throws Exception {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID node = f.node(tenant);
        UUID held = f.subscription(tenant, f.person(tenant), plan, List.of());
        UUID free = f.subscription(tenant, f.person(tenant), plan, List.of());
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = pool.submit(() -> tx.executeWithoutResult(s -> {
                jdbc.sql("SELECT id FROM subscriptions WHERE id = ? FOR UPDATE").param(held).query(UUID.class).list();
                locked.countDown();
                await(release);
            }));
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(topUp(held, free)).isEqualTo(new NodeAssigner.TopUp(1, 0, 1));
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(roles(free)).isEqualTo(Map.of(node, "primary"));
        assertThat(roles(held)).isEmpty();
        assertThat(topUp(held, free)).isEqualTo(new NodeAssigner.TopUp(1, 0, 0));
        assertThat(roles(held)).isEqualTo(Map.of(node, "primary"));
    }

    @Test
    void concurrentTopUpsOverTheSameTenantsNeitherDeadlockNorOverfillANode() throws Exception {
        Fixtures f = fixtures();
        List<UUID> subs = new ArrayList<>();
        List<UUID> nodes = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            UUID tenant = f.tenant();
            UUID plan = f.plan(tenant, null);
            nodes.add(node(f, tenant, 4));
            nodes.add(node(f, tenant, 4));
            for (int i = 0; i < 6; i++) {
                subs.add(redundancy(f.subscription(tenant, f.person(tenant), plan, List.of()), 1));
            }
        }
        List<UUID> reversed = new ArrayList<>(subs);
        java.util.Collections.reverse(reversed);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<NodeAssigner.TopUp> one = pool.submit(() -> tx.execute(s -> assigner.topUp(subs)));
            Future<NodeAssigner.TopUp> two = pool.submit(() -> tx.execute(s -> assigner.topUp(reversed)));
            NodeAssigner.TopUp first = one.get(30, TimeUnit.SECONDS);
            NodeAssigner.TopUp second = two.get(30, TimeUnit.SECONDS);
            // Each tenant has 8 slots for 6 subscriptions wanting 2 each: 24 assignments in all, whoever won.
            assertThat(first.assignmentsAdded() + second.assignmentsAdded()).isEqualTo(24);
            assertThat(first.stillShort() + second.stillShort()).isGreaterThanOrEqualTo(6);
        } finally {
            pool.shutdownNow();
        }
        for (UUID node : nodes) {
            assertThat(jdbc.sql("SELECT assigned_count FROM nodes WHERE id = ?").param(node).query(Integer.class)
                    .single()).isEqualTo(4);
        }
        List<Map<UUID, String>> placed = subs.stream().map(this::roles).filter(r -> !r.isEmpty()).toList();
        assertThat(placed).hasSize(12).allSatisfy(r -> assertThat(r.values()).containsExactlyInAnyOrder("primary",
                "redundant"));
    }

    @Test
    void assigningRefusesByKindWhatAClientGotWrong() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID plan = f.plan(tenant, null);
        UUID full = node(f, tenant, 0);
        UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of());
        UUID elsewhere = f.node(f.tenant());

        assertThatThrownBy(() -> assign(tenant, sub, AssignmentStrategy.MANUAL, List.of()))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.INVALID);
                    assertThat(e.getMessage()).isEqualTo("node_ids: is required with the manual strategy");
                    assertThat(e.details()).isEqualTo(Map.of("errors", List.of(Map.of("field", "node_ids",
                            "message", "is required with the manual strategy"))));
                });
        assertThatThrownBy(() -> assign(tenant, sub, AssignmentStrategy.MANUAL, List.of(elsewhere)))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> assign(tenant, sub, AssignmentStrategy.MANUAL, List.of(full)))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT));
        assertThatThrownBy(() -> assign(tenant, sub, AssignmentStrategy.ROUND_ROBIN, List.of()))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT));
        assertThat(roles(sub)).isEmpty();
    }

    private NodeAssigner.TopUp topUp(UUID... subscriptions) {
        return tx.execute(s -> assigner.topUp(List.of(subscriptions)));
    }

    private void assign(UUID tenant, UUID sub, AssignmentStrategy strategy, List<UUID> manualNodes) {
        tx.executeWithoutResult(s -> assigner.assign(tenant, sub, strategy, List.of(), 0, manualNodes, BOTH));
    }

    /** Every live subscription of the database short of nodes, all pages. */
    private List<UUID> allShort() {
        return assigner.shortOfNodes(null, Integer.MAX_VALUE);
    }

    private Map<UUID, String> roles(UUID subscription) {
        return jdbc.sql("SELECT node_id, role FROM node_assignments WHERE subscription_id = ?").param(subscription)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private UUID node(Fixtures f, UUID tenant, Integer capacity) {
        UUID node = f.node(tenant);
        jdbc.sql("UPDATE nodes SET capacity = ? WHERE id = ?").params(capacity, node).update();
        return node;
    }

    private UUID tagged(UUID node, String... tags) {
        jdbc.sql("UPDATE nodes SET tags = ? WHERE id = ?").params(tags, node).update();
        return node;
    }

    private UUID redundancy(UUID subscription, int redundancy) {
        jdbc.sql("UPDATE subscriptions SET redundancy = ? WHERE id = ?").params(redundancy, subscription).update();
        return subscription;
    }

    private UUID strategy(UUID subscription, AssignmentStrategy strategy, String... tags) {
        jdbc.sql("UPDATE subscriptions SET assignment_strategy = ?, assignment_tags = ? WHERE id = ?")
                .params(strategy.db(), tags, subscription).update();
        return subscription;
    }

    private UUID state(UUID subscription, String state) {
        jdbc.sql("UPDATE subscriptions SET state = ? WHERE id = ?").params(state, subscription).update();
        return subscription;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

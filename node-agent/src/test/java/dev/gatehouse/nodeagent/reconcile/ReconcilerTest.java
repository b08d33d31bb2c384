package dev.gatehouse.nodeagent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.support.FakeEngine;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import dev.gatehouse.proto.agent.v1.AppliedRevision;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.DesiredStateDiff;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler's decisions, against engines in memory (the real cores have their own tests). */
class ReconcilerTest {

    private static final NodeConfig CONFIG = NodeConfig.newBuilder()
            .addXrayInbounds(XrayInbound.newBuilder().setTag("vless-in").setProtocol("vless").setPort(443)).build();

    @TempDir
    Path state;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FakeEngine v2fly = new FakeEngine(Engine.ENGINE_XRAY, false);
    private Reconciler reconciler;
    private SampleLog buffer;

    @BeforeEach
    void setUp() throws Exception {
        buffer = new SampleLog(state.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(), meters);
        reconciler = new Reconciler(List.of(v2fly), new Sampler(state, buffer, Clock.systemUTC(), meters), meters);
    }

    private static Credential xray(String id) {
        return Credential.newBuilder().setCredentialId(id).setEngine(Engine.ENGINE_XRAY).build();
    }

    private static CredentialRef ref(String id) {
        return CredentialRef.newBuilder().setCredentialId(id).setEngine(Engine.ENGINE_XRAY).build();
    }

    @Test
    void aSnapshotServesExactlyItsSetAndOneBadCredentialBlocksNothing() {
        v2fly.refuse.add("bad");
        AppliedRevision applied = reconciler.snapshot(5, CONFIG, List.of(xray("a"), xray("bad"), xray("b"),
                Credential.newBuilder().setCredentialId("wg").setEngine(Engine.ENGINE_WIREGUARD).build()));
        assertThat(v2fly.serving).containsExactlyInAnyOrder("a", "b");
        assertThat(applied.getRevision()).isEqualTo(5);
        assertThat(applied.getFailuresList()).extracting(f -> f.getCredentialId() + ": " + f.getReason())
                .containsExactlyInAnyOrder("bad: malformed key", "wg: this node runs no ENGINE_WIREGUARD engine");
    }

    @Test
    void aRemovalReadsTheCountersOnceMoreFirst() {
        reconciler.snapshot(1, CONFIG, List.of(xray("a"), xray("b")));
        v2fly.calls.clear();
        var applied = reconciler.diff(DesiredStateDiff.newBuilder().setFromRevision(1).setToRevision(2)
                .addRemovals(ref("a")).addUpserts(xray("c")).build());
        assertThat(applied).hasValueSatisfying(a -> assertThat(a.getRevision()).isEqualTo(2));
        assertThat(v2fly.calls).containsExactly("counters", "remove a", "add c");
        assertThat(v2fly.serving).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void aDiffThatDoesNotFollowTheAppliedRevisionAsksForTheWholeState() {
        reconciler.snapshot(3, CONFIG, List.of(xray("a")));
        assertThat(reconciler.diff(DesiredStateDiff.newBuilder().setFromRevision(7).setToRevision(8)
                .addRemovals(ref("a")).build())).isEmpty();
        assertThat(v2fly.serving).containsExactly("a");
        assertThat(reconciler.revision()).isEqualTo(3);
    }

    @Test
    void theCheckRemovesWhatThisAgentAddedThatIsNoLongerWantedAndRetriesAnUnreachableEngine() {
        v2fly.down = true;
        AppliedRevision applied = reconciler.snapshot(1, CONFIG, List.of(xray("a")));
        assertThat(applied.getFailuresList()).extracting(f -> f.getReason()).containsExactly("the core is not answering");
        v2fly.down = false;
        reconciler.check();
        assertThat(v2fly.serving).containsExactly("a");
        assertThat(meters.counter("gatehouse_agent_drift_repairs").count()).isEqualTo(1);
    }

    @Test
    void anEngineThatListsItsUsersHasStrangersRemovedAndMissingOnesAdded() {
        FakeEngine xray = new FakeEngine(Engine.ENGINE_XRAY, true);
        Reconciler listing = new Reconciler(List.of(xray), reconcilerSampler(), meters);
        listing.snapshot(1, CONFIG, List.of(xray("a"), xray("b")));
        xray.serving.remove("b");           // an operator removed one by hand
        xray.serving.add("stranger");       // and added one the panel never asked for
        listing.check();
        assertThat(xray.serving).containsExactlyInAnyOrder("a", "b");
        assertThat(meters.counter("gatehouse_agent_drift_repairs").count()).isEqualTo(2);
    }

    @Test
    void aCoreThatRestartedOnItsOwnGetsEveryUserBack() {
        reconciler.snapshot(1, CONFIG, List.of(xray("a"), xray("b")));
        v2fly.serving.clear();
        v2fly.generation++;
        reconciler.check();
        assertThat(v2fly.serving).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void theMissingUsersOfAnEngineGoInOneBulkAddInTheDesiredOrder() {
        reconciler.snapshot(1, CONFIG, List.of(xray("c"), xray("a"), xray("b")));
        assertThat(v2fly.bulks).containsExactly(List.of("c", "a", "b"));

        var applied = reconciler.diff(DesiredStateDiff.newBuilder().setFromRevision(1).setToRevision(2)
                .addUpserts(xray("d")).addUpserts(xray("e")).build());
        assertThat(applied).hasValueSatisfying(a -> assertThat(a.getFailuresList()).isEmpty());
        assertThat(v2fly.bulks).containsExactly(List.of("c", "a", "b"), List.of("d", "e"));
        assertThat(v2fly.serving).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
    }

    @Test
    void aBulkAddKeepsEachCredentialsFailureAndRetriesOnlyWhatIsWorthIt() {
        v2fly.refuse.add("bad");
        v2fly.unreachable.add("flaky");
        AppliedRevision applied = reconciler.snapshot(1, CONFIG, List.of(xray("a"), xray("bad"), xray("flaky")));
        assertThat(v2fly.serving).containsExactly("a");
        assertThat(applied.getFailuresList()).extracting(f -> f.getCredentialId() + ": " + f.getReason())
                .containsExactlyInAnyOrder("bad: malformed key", "flaky: no answer in time");

        v2fly.unreachable.clear();
        reconciler.check();
        assertThat(v2fly.bulks).as("the refused credential is not tried again")
                .containsExactly(List.of("a", "bad", "flaky"), List.of("flaky"));
        assertThat(v2fly.serving).containsExactlyInAnyOrder("a", "flaky");
        assertThat(reconciler.failures()).containsOnlyKeys("bad");
    }

    @Test
    void aCoreRestartNoticedAtAPollCountsTheNewCoresBytesOnceAndServesEveryoneAgain() throws Exception {
        reconciler.snapshot(1, CONFIG, List.of(xray("a")));
        v2fly.counters.put("a", new dev.gatehouse.nodeagent.engine.EngineDriver.Counters(500, 0));
        reconciler.poll();
        v2fly.serving.clear();
        v2fly.generation++;
        v2fly.counters.put("a", new dev.gatehouse.nodeagent.engine.EngineDriver.Counters(520, 0)); // above the old baseline
        reconciler.poll();
        assertThat(v2fly.serving).containsExactly("a");
        v2fly.counters.put("a", new dev.gatehouse.nodeagent.engine.EngineDriver.Counters(550, 0));
        reconciler.poll();
        long total = 0;
        SampleLog log = buffer;
        for (long id : log.pendingIds(0)) {
            total += log.read(id).getSamplesList().stream().mapToLong(s -> s.getBytesUp()).sum();
        }
        assertThat(total).as("500 from the old core, 550 from the new one").isEqualTo(1050);
    }

    private Sampler reconcilerSampler() {
        try {
            Path other = state.resolve("other");
            SampleLog log = new SampleLog(other.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(),
                    meters);
            return new Sampler(other, log, Clock.systemUTC(), meters);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

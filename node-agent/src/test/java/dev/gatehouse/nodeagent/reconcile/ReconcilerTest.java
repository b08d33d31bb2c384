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

    @BeforeEach
    void setUp() throws Exception {
        SampleLog log = new SampleLog(state.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(), meters);
        reconciler = new Reconciler(List.of(v2fly), new Sampler(state, log, Clock.systemUTC(), meters), meters);
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

package dev.gatehouse.nodeagent.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import dev.gatehouse.nodeagent.support.FakeEngine;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplerTest {

    @TempDir
    Path state;

    private final FakeEngine xray = new FakeEngine(Engine.ENGINE_XRAY, false);

    private SampleLog buffer() throws IOException {
        return new SampleLog(state.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    private static List<TrafficSample> all(SampleLog log) throws IOException {
        List<TrafficSample> samples = new ArrayList<>();
        for (long id : log.pendingIds(0)) {
            samples.addAll(log.read(id).getSamplesList());
        }
        return samples;
    }

    @Test
    void deltasAreNumberedFromOneSequenceAndOnlyNonZeroOnesAreSent() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(100, 1000));
            xray.counters.put("b", new Counters(0, 0));
            assertThat(sampler.round(List.of(xray))).isEqualTo(1);
            xray.counters.put("a", new Counters(150, 1000));
            xray.counters.put("b", new Counters(7, 9));
            assertThat(sampler.round(List.of(xray))).isEqualTo(2);
            assertThat(sampler.round(List.of(xray))).as("nothing moved").isZero();
            assertThat(all(log)).extracting(s -> s.getCredentialId() + " " + s.getCounterSeq() + " " + s.getBytesUp()
                    + "/" + s.getBytesDown()).containsExactlyInAnyOrder("a 1 100/1000", "a 2 50/0", "b 3 7/9");
            assertThat(sampler.sendableThrough()).isEqualTo(2);
        }
    }

    @Test
    void aCounterThatWentDownIsARestartNeitherNegativeNorCountedTwice() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(500, 500));
            sampler.round(List.of(xray));
            xray.counters.put("a", new Counters(20, 30)); // the core restarted and counted 20/30 since
            sampler.round(List.of(xray));
            assertThat(all(log)).extracting(s -> s.getBytesUp() + "/" + s.getBytesDown())
                    .containsExactly("500/500", "20/30");
        }
    }

    @Test
    void aRestartOfTheAgentContinuesFromTheCheckpointAndTheSequence() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(100, 100));
            sampler.round(List.of(xray));
        }
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(130, 100));
            sampler.round(List.of(xray));
            assertThat(all(log)).extracting(s -> s.getCounterSeq() + ":" + s.getBytesUp())
                    .containsExactly("1:100", "2:30");
        }
    }

    @Test
    void batchesBufferedAfterTheLastCheckpointAreReplayedIntoIt() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(100, 100));
            sampler.round(List.of(xray));
            // A crash after the buffer's fsync, before the checkpoint: the checkpoint file is the old one.
            java.nio.file.Files.copy(state.resolve("counters.json"), state.resolve("before.json"));
            xray.counters.put("a", new Counters(160, 100));
            sampler.round(List.of(xray));
            java.nio.file.Files.move(state.resolve("before.json"), state.resolve("counters.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(200, 100));
            sampler.round(List.of(xray));
            assertThat(all(log)).extracting(s -> s.getCounterSeq() + ":" + s.getBytesUp())
                    .containsExactly("1:100", "2:60", "3:40");
        }
    }

    @Test
    void anEngineThatCannotBeReadKeepsItsBytesForTheNextRound() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(10, 10));
            xray.down = true;
            assertThat(sampler.round(List.of(xray))).isZero();
            xray.down = false;
            xray.counters.put("a", new Counters(25, 10));
            sampler.round(List.of(xray));
            assertThat(all(log)).extracting(TrafficSample::getBytesUp).containsExactly(25L);
        }
    }

    @Test
    void aCoreRestartTheAgentNoticedCountsTheWholeNewReading() throws IOException {
        try (SampleLog log = buffer()) {
            Sampler sampler = new Sampler(state, log, Clock.systemUTC(), new SimpleMeterRegistry());
            xray.counters.put("a", new Counters(100, 100));
            sampler.round(List.of(xray));
            sampler.resetEngine(Engine.ENGINE_XRAY);
            xray.counters.put("a", new Counters(150, 120)); // above the old baseline, all of it new
            sampler.round(List.of(xray));
            assertThat(all(log)).extracting(TrafficSample::getBytesUp).containsExactly(100L, 150L);
        }
    }

    @Property
    void deltasNeverGoNegativeAndAddUpWhileCountersOnlyGrow(@ForAll @LongRange(min = 0, max = 1L << 40) long a,
                                                            @ForAll @LongRange(min = 0, max = 1L << 40) long b) {
        long low = Math.min(a, b);
        long high = Math.max(a, b);
        assertThat(Sampler.delta(high, low)).isEqualTo(high - low);
        assertThat(Sampler.delta(low, high)).isGreaterThanOrEqualTo(0);
        assertThat(Sampler.delta(high, 0) ).isEqualTo(high);
    }
}

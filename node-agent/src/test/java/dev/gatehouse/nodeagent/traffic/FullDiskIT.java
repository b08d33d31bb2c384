package dev.gatehouse.nodeagent.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import dev.gatehouse.nodeagent.support.FakeEngine;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.testkit.Command;
import dev.gatehouse.testkit.RealPeers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state folder on a real, small tmpfs filled to the last byte: the agent does not crash, the
 * failed appends are counted, and the bytes the cores counted meanwhile are buffered whole once
 * space returns (the baselines did not move while nothing could be written).
 */
class FullDiskIT {

    private Path mount;

    @BeforeEach
    void mountASmallDisk() throws IOException {
        RealPeers.require("mount", "mount");
        mount = Files.createTempDirectory("agent-full-disk");
        Command.run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws IOException {
        Command.attempt("umount", mount.toString());
        Files.deleteIfExists(mount);
    }

    @Test
    void aFullDiskCountsFailedWritesAndLosesNoByte() throws IOException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        FakeEngine xray = new FakeEngine(Engine.ENGINE_XRAY, false);
        try (SampleLog log = new SampleLog(mount.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(),
                meters)) {
            Sampler sampler = new Sampler(mount, log, Clock.systemUTC(), meters);
            xray.counters.put("a", new Counters(100, 1000));
            assertThat(sampler.round(List.of(xray))).isEqualTo(1);

            Path filler = mount.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                }
            } catch (IOException full) {
                // no space left on the device
            }
            // A round of many people: more than the page the segment already holds.
            xray.counters.put("a", new Counters(300, 1500));
            for (int i = 0; i < 300; i++) {
                xray.counters.put("person-" + i, new Counters(10, 20));
            }
            assertThat(sampler.round(List.of(xray))).as("nothing can be written").isZero();
            assertThat(meters.counter("gatehouse_agent_buffer_write_failures").count()).isGreaterThanOrEqualTo(1);

            Files.delete(filler);
            xray.counters.put("a", new Counters(350, 1600));
            assertThat(sampler.round(List.of(xray))).isEqualTo(301);
            List<TrafficSample> all = new ArrayList<>();
            for (long id : log.pendingIds(0)) {
                all.addAll(log.read(id).getSamplesList());
            }
            assertThat(all).filteredOn(s -> s.getCredentialId().equals("a"))
                    .extracting(s -> s.getBytesUp() + "/" + s.getBytesDown()).containsExactly("100/1000", "250/600");
            assertThat(all).filteredOn(s -> s.getCredentialId().startsWith("person-")).hasSize(300)
                    .allSatisfy(s -> assertThat(s.getBytesUp() + s.getBytesDown()).isEqualTo(30));
            assertThat(all).extracting(TrafficSample::getCounterSeq).doesNotHaveDuplicates();
        }
    }
}

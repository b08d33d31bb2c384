package dev.gatehouse.nodeagent.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleLogTest {

    @TempDir
    Path folder;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

    private static TrafficBatch batch(int samples, long firstSeq) {
        TrafficBatch.Builder batch = TrafficBatch.newBuilder();
        for (int i = 0; i < samples; i++) {
            batch.addSamples(TrafficSample.newBuilder().setCredentialId("c" + i).setEngine(Engine.ENGINE_XRAY)
                    .setCounterSeq(firstSeq + i).setBytesUp(100).setBytesDown(200)
                    .setTsEnd(Timestamp.newBuilder().setSeconds(Instant.parse("2026-11-26T09:59:50Z").getEpochSecond())));
        }
        return batch.build();
    }

    private SampleLog open(long maxBytes, Duration maxAge) throws IOException {
        return new SampleLog(folder, maxBytes, maxAge, clock, meters);
    }

    @Test
    void batchesSurviveAReopenUntilAcknowledged() throws IOException {
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            assertThat(log.append(batch(3, 1))).isEqualTo(1);
            log.ack(1);
            assertThat(log.append(batch(2, 4))).isEqualTo(2);
        }
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            assertThat(log.pendingIds(0)).as("a segment all acknowledged is gone").containsExactly(2L);
            assertThat(log.read(2).getSamplesList()).extracting(TrafficSample::getCounterSeq).containsExactly(4L, 5L);
            assertThat(log.read(2).getBatchId()).isEqualTo(2);
            assertThat(log.pendingSamples()).isEqualTo(2);
            assertThat(log.append(batch(1, 6))).as("ids go on after the stored ones").isEqualTo(3);
        }
    }

    @Test
    void aTornLastRecordIsCutOffAndTheRecordsBeforeItKept() throws IOException {
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            log.append(batch(3, 1));
            log.append(batch(3, 4));
        }
        Path segment;
        try (Stream<Path> files = Files.list(folder)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel out = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            out.truncate(size - 5); // a crash in the middle of the second record
        }
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            assertThat(log.pendingIds(0)).containsExactly(1L);
            assertThat(log.append(batch(1, 7))).isEqualTo(2);
        }
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            assertThat(log.pendingIds(0)).containsExactly(1L, 2L);
            assertThat(log.read(2).getSamples(0).getCounterSeq()).isEqualTo(7);
        }
    }

    @Test
    void aCorruptRecordEndsWhatIsBelieved() throws IOException {
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            log.append(batch(3, 1));
            log.append(batch(3, 4));
        }
        Path segment;
        try (Stream<Path> files = Files.list(folder)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 3] ^= 0x5a;
        Files.write(segment, bytes);
        try (SampleLog log = open(1 << 30, Duration.ofDays(7))) {
            assertThat(log.pendingIds(0)).containsExactly(1L);
        }
    }

    @Test
    void overItsSizeTheOldestSegmentsAreDroppedAndCounted() throws IOException {
        try (SampleLog log = open(6L * 1024 * 1024, Duration.ofDays(7))) {
            // About 1.2 MB per batch: the 4 MiB segments roll, and the bound drops whole old ones.
            for (int i = 0; i < 12; i++) {
                log.append(batch(20_000, i * 20_000L));
            }
            assertThat(log.bytesOnDisk()).isLessThanOrEqualTo(6L * 1024 * 1024 + 4L * 1024 * 1024);
            assertThat(meters.counter("gatehouse_agent_samples_dropped").count()).isPositive();
            assertThat(log.pendingSamples() + (long) meters.counter("gatehouse_agent_samples_dropped").count())
                    .isEqualTo(12 * 20_000L);
            assertThat(log.pendingIds(0)).last().isEqualTo(12L);
        }
    }

    @Test
    void samplesOlderThanTheAgeBoundAreDropped() throws IOException {
        try (SampleLog log = open(1 << 30, Duration.ofMinutes(5))) {
            log.append(batch(2, 1));
        }
        Clock later = Clock.fixed(Instant.parse("2026-11-26T11:00:00Z"), ZoneOffset.UTC);
        try (SampleLog log = new SampleLog(folder, 1 << 30, Duration.ofMinutes(5), later, meters)) {
            log.append(batch(1, 3));
            assertThat(log.pendingIds(0)).containsExactly(2L);
            assertThat(meters.counter("gatehouse_agent_samples_dropped").count()).isEqualTo(2);
        }
    }
}

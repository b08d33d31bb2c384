package dev.gatehouse.nodeagent.traffic;

import com.google.protobuf.Timestamp;
import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the cores' cumulative counters into samples: per credential, the bytes since the reading
 * the last sample was cut at. Counters are never reset in the core (a read-with-reset loses bytes
 * when anything fails before they are stored). A counter below its baseline means the core
 * restarted or the WireGuard peer was re-created: the whole new reading is the delta. Only
 * non-zero deltas become samples; each gets the next number of the node's one persisted sequence
 * when it is made, and keeps it on every resend.
 *
 * <p>Order of a round: read, buffer (fsync), then checkpoint the new baselines. A batch is offered
 * to the collector only once the checkpoint that includes it is stored, so an acknowledged batch is
 * never replayed into stale baselines.
 */
public final class Sampler {

    private static final Logger log = LoggerFactory.getLogger(Sampler.class);
    private static final int BATCH_SAMPLES = 5000;

    private final Path checkpointFile;
    private final SampleLog buffer;
    private final Clock clock;
    private final Checkpoint checkpoint;
    private final Counter samples;
    private final Map<Engine, Instant> lastRead = new HashMap<>();
    private volatile long sendableThrough;

    public Sampler(Path state, SampleLog buffer, Clock clock, MeterRegistry meters) throws IOException {
        this.checkpointFile = state.resolve("counters.json");
        this.buffer = buffer;
        this.clock = clock;
        this.checkpoint = Checkpoint.load(checkpointFile);
        this.samples = Counter.builder("gatehouse_agent_samples").description("samples made from counter deltas")
                .register(meters);
        replay();
        buffer.continueAfter(checkpoint.lastBatch);
        sendableThrough = checkpoint.lastBatch;
    }

    /** Batches buffered after the last checkpoint (a crash between the two writes) carry their baselines. */
    private void replay() throws IOException {
        for (long id : buffer.pendingIds(checkpoint.lastBatch)) {
            TrafficBatch batch = buffer.read(id);
            for (TrafficSample s : batch.getSamplesList()) {
                checkpoint.baselines.put(key(s.getEngine(), s.getCredentialId()),
                        new long[] {s.getCounterUp(), s.getCounterDown()});
                checkpoint.nextSeq = Math.max(checkpoint.nextSeq, s.getCounterSeq() + 1);
            }
            checkpoint.lastBatch = id;
        }
        checkpoint.store(checkpointFile);
    }

    /**
     * Reads every engine once and buffers the deltas. An engine that cannot be read is skipped: its
     * bytes stay in its counters for the next round. Returns how many samples were buffered.
     */
    public synchronized int round(List<EngineDriver> engines) {
        Instant now = clock.instant();
        List<TrafficSample> made = new ArrayList<>();
        Map<String, long[]> next = new HashMap<>();
        for (EngineDriver engine : engines) {
            Map<String, EngineDriver.Counters> counters;
            try {
                counters = engine.counters();
            } catch (EngineException e) {
                log.warn("cannot read the {} counters this round: {}", engine.engine(), e.getMessage());
                continue;
            }
            Instant start = lastRead.getOrDefault(engine.engine(), now);
            lastRead.put(engine.engine(), now);
            for (Map.Entry<String, EngineDriver.Counters> c : counters.entrySet()) {
                String key = key(engine.engine(), c.getKey());
                long[] base = checkpoint.baselines.getOrDefault(key, new long[2]);
                // A counter that went down in either direction means the counter started over: both did.
                boolean restarted = c.getValue().up() < base[0] || c.getValue().down() < base[1];
                long up = restarted ? c.getValue().up() : c.getValue().up() - base[0];
                long down = restarted ? c.getValue().down() : c.getValue().down() - base[1];
                if (c.getValue().up() != base[0] || c.getValue().down() != base[1]) {
                    next.put(key, new long[] {c.getValue().up(), c.getValue().down()});
                }
                if (up == 0 && down == 0) {
                    continue;
                }
                made.add(TrafficSample.newBuilder().setCredentialId(c.getKey()).setEngine(engine.engine())
                        .setTsStart(timestamp(start.isAfter(now) ? now : start)).setTsEnd(timestamp(now))
                        .setBytesUp(up).setBytesDown(down)
                        .setCounterUp(c.getValue().up()).setCounterDown(c.getValue().down()).build());
            }
        }
        int buffered = 0;
        for (int from = 0; from < made.size(); from += BATCH_SAMPLES) {
            TrafficBatch.Builder batch = TrafficBatch.newBuilder();
            for (TrafficSample s : made.subList(from, Math.min(made.size(), from + BATCH_SAMPLES))) {
                batch.addSamples(s.toBuilder().setCounterSeq(checkpoint.nextSeq++));
            }
            try {
                checkpoint.lastBatch = buffer.append(batch.build());
            } catch (IOException e) {
                log.warn("cannot buffer {} samples ({}); their bytes stay counted in the cores for the next round",
                        batch.getSamplesCount(), e.getMessage());
                break;
            }
            for (TrafficSample s : batch.getSamplesList()) {
                String key = key(s.getEngine(), s.getCredentialId());
                checkpoint.baselines.put(key, next.remove(key));
            }
            buffered += batch.getSamplesCount();
        }
        // Readings that went down to a value with no bytes (a restart with nothing since) move too.
        if (buffered == made.size()) {
            checkpoint.baselines.putAll(next);
        }
        try {
            checkpoint.store(checkpointFile);
            sendableThrough = checkpoint.lastBatch;
        } catch (IOException e) {
            log.warn("cannot store the counter checkpoint ({}); buffered batches wait until it is stored",
                    e.getMessage());
        }
        samples.increment(buffered);
        return buffered;
    }

    /** The core restarted: its counters start again from zero. */
    public synchronized void resetEngine(Engine engine) {
        String prefix = engine.getNumber() + ":";
        checkpoint.baselines.replaceAll((k, v) -> k.startsWith(prefix) ? new long[2] : v);
    }

    /** A WireGuard peer was created again: its counters start again from zero. */
    public synchronized void resetCredential(Engine engine, String credentialId) {
        checkpoint.baselines.put(key(engine, credentialId), new long[2]);
    }

    /** The newest batch id whose checkpoint is stored: batches up to it may be sent. */
    public long sendableThrough() {
        return sendableThrough;
    }

    static long delta(long reading, long baseline) {
        return reading >= baseline ? reading - baseline : reading;
    }

    private static String key(Engine engine, String credentialId) {
        return engine.getNumber() + ":" + credentialId;
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}

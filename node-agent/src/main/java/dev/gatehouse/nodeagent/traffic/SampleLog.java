package dev.gatehouse.nodeagent.traffic;

import dev.gatehouse.nodeagent.state.StateFiles;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable buffer: every batch of samples is on disk before it is sent, and stays there
 * until the collector acknowledges it. Append-only segment files ({@code seg-<first id>.log}) hold
 * records {@code [length][crc32c][id][TrafficBatch]}; each append is fsynced (one per polling
 * round). On open, a torn or corrupt last record (a crash mid-write) is cut off; nothing after a
 * good record is ever guessed at.
 *
 * <p>Bounded: when the segments exceed {@code maxBytes}, or the oldest unacknowledged record is older
 * than {@code maxAge}, whole oldest segments are dropped, the dropped samples are counted in
 * {@code gatehouse_agent_samples_dropped} and one line is logged per drop. A segment whose records
 * are all acknowledged is deleted (the segment being written too: the next append starts a new one).
 * Acknowledgements are not written down: after a restart, the acknowledged records of a segment that
 * still holds unacknowledged ones are sent again, and the collector counts them as duplicates.
 */
public final class SampleLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SampleLog.class);
    private static final int HEADER = 4 + 4 + 8;
    private static final long SEGMENT_BYTES = 4L * 1024 * 1024;
    private static final int MAX_RECORD = 64 * 1024 * 1024;

    /** Where one record lives and what it holds. */
    private record Entry(long id, Path segment, long offset, int length, int samples, Instant written) {
    }

    private final Path folder;
    private final long maxBytes;
    private final Duration maxAge;
    private final Clock clock;
    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private final Map<Path, Long> segmentBytes = new TreeMap<>();
    private final Map<Path, Integer> segmentPending = new TreeMap<>();
    private final Counter dropped;
    private final Counter writeFailures;
    private FileChannel active;
    private Path activePath;
    private long nextId = 1;

    public SampleLog(Path folder, long maxBytes, Duration maxAge, Clock clock, MeterRegistry meters)
            throws IOException {
        this.folder = folder;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
        Files.createDirectories(folder);
        this.dropped = Counter.builder("gatehouse_agent_samples_dropped")
                .description("samples dropped unacknowledged because the buffer hit its size or age bound")
                .register(meters);
        this.writeFailures = Counter.builder("gatehouse_agent_buffer_write_failures")
                .description("appends to the buffer that failed (a full disk); their bytes stay in the cores' counters")
                .register(meters);
        Gauge.builder("gatehouse_agent_buffered_samples", this, SampleLog::pendingSamples)
                .description("samples on disk not yet acknowledged").register(meters);
        recover();
    }

    /** Reads every segment, cutting a torn tail off the last one. */
    private void recover() throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.list(folder)) {
            segments = files.filter(p -> p.getFileName().toString().matches("seg-\\d+\\.log")).sorted().toList();
        }
        for (Path segment : segments) {
            long good = 0;
            int count = 0;
            try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ)) {
                long size = in.size();
                while (good + HEADER <= size) {
                    ByteBuffer header = ByteBuffer.allocate(HEADER);
                    in.read(header, good);
                    header.flip();
                    int length = header.getInt();
                    int crc = header.getInt();
                    long id = header.getLong();
                    if (length < 0 || length > MAX_RECORD || good + HEADER + length > size) {
                        break;
                    }
                    ByteBuffer body = ByteBuffer.allocate(length);
                    in.read(body, good + HEADER);
                    if (crc(id, body.array()) != crc) {
                        break;
                    }
                    TrafficBatch batch = TrafficBatch.parseFrom(body.array());
                    Instant written = batch.getSamplesCount() == 0 ? Files.getLastModifiedTime(segment).toInstant()
                            : Instant.ofEpochSecond(batch.getSamples(0).getTsEnd().getSeconds(),
                                    batch.getSamples(0).getTsEnd().getNanos());
                    pending.put(id, new Entry(id, segment, good, length, batch.getSamplesCount(), written));
                    count++;
                    nextId = Math.max(nextId, id + 1);
                    good += HEADER + length;
                }
                if (good < size) {
                    log.warn("buffer segment {}: cut {} bytes of a torn or corrupt record at its end", segment,
                            size - good);
                }
            }
            if (count == 0) {
                Files.delete(segment);
                continue;
            }
            try (FileChannel out = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                out.truncate(good);
                out.force(true);
            }
            segmentBytes.put(segment, good);
            segmentPending.put(segment, count);
        }
    }

    /**
     * Stores a batch durably and returns its id (the batch id it is sent under). The batch's own
     * batch_id is replaced by that id.
     */
    public synchronized long append(TrafficBatch batch) throws IOException {
        long id = nextId;
        byte[] body = batch.toBuilder().setBatchId(id).build().toByteArray();
        try {
            if (active == null || segmentBytes.getOrDefault(activePath, 0L) >= SEGMENT_BYTES) {
                roll(id);
            }
            long offset = active.size();
            ByteBuffer record = ByteBuffer.allocate(HEADER + body.length);
            record.putInt(body.length).putInt(crc(id, body)).putLong(id).put(body).flip();
            while (record.hasRemaining()) {
                active.write(record, offset + record.position());
            }
            active.force(false);
            pending.put(id, new Entry(id, activePath, offset, body.length, batch.getSamplesCount(), clock.instant()));
            segmentBytes.merge(activePath, (long) HEADER + body.length, Long::sum);
            segmentPending.merge(activePath, 1, Integer::sum);
        } catch (IOException e) {
            writeFailures.increment();
            if (active != null) {
                // Nothing half-written stays: the segment is cut back to its last whole record.
                try {
                    active.truncate(segmentBytes.getOrDefault(activePath, 0L));
                } catch (IOException ignored) {
                    log.warn("buffer segment {} could not be cut back: {}", activePath, ignored.getMessage());
                }
            }
            throw e;
        }
        nextId = id + 1;
        try {
            enforceBounds();
        } catch (IOException e) {
            // The batch is on disk: its append succeeded whatever the clean-up of old segments did.
            log.warn("cannot drop buffer segments over the bound: {}", e.getMessage());
        }
        return id;
    }

    private void roll(long firstId) throws IOException {
        if (active != null) {
            active.close();
        }
        activePath = folder.resolve(String.format("seg-%020d.log", firstId));
        active = FileChannel.open(activePath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        StateFiles.syncFolder(folder);
        segmentBytes.putIfAbsent(activePath, 0L);
        segmentPending.putIfAbsent(activePath, 0);
    }

    /** Ids continue after {@code lastId} (kept by the checkpoint), even when every segment was deleted. */
    public synchronized void continueAfter(long lastId) {
        nextId = Math.max(nextId, lastId + 1);
    }

    /** The batches not yet acknowledged, oldest first, from {@code afterId} on. */
    public synchronized List<Long> pendingIds(long afterId) {
        return new ArrayList<>(pending.tailMap(afterId, false).keySet());
    }

    public synchronized TrafficBatch read(long id) throws IOException {
        Entry entry = pending.get(id);
        if (entry == null) {
            return null;
        }
        try (FileChannel in = FileChannel.open(entry.segment(), StandardOpenOption.READ)) {
            ByteBuffer body = ByteBuffer.allocate(entry.length());
            in.read(body, entry.offset() + HEADER);
            return TrafficBatch.parseFrom(body.array());
        }
    }

    /** The collector stored (or already had) this batch: it may go. */
    public synchronized void ack(long id) throws IOException {
        Entry entry = pending.remove(id);
        if (entry == null) {
            return;
        }
        int left = segmentPending.merge(entry.segment(), -1, Integer::sum);
        if (left == 0) {
            if (entry.segment().equals(activePath)) {
                active.close();
                active = null;
                activePath = null;
            }
            deleteSegment(entry.segment());
        }
    }

    private void deleteSegment(Path segment) throws IOException {
        Files.deleteIfExists(segment);
        segmentBytes.remove(segment);
        segmentPending.remove(segment);
    }

    private void enforceBounds() throws IOException {
        Instant oldestAllowed = clock.instant().minus(maxAge);
        while (!pending.isEmpty()) {
            long total = segmentBytes.values().stream().mapToLong(Long::longValue).sum();
            Entry oldest = pending.firstEntry().getValue();
            boolean tooBig = total > maxBytes && !oldest.segment().equals(activePath);
            boolean tooOld = oldest.written().isBefore(oldestAllowed);
            if (!tooBig && !tooOld) {
                return;
            }
            Path segment = oldest.segment();
            long samples = 0;
            Instant from = oldest.written();
            for (Iterator<Entry> it = pending.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.segment().equals(segment)) {
                    samples += e.samples();
                    it.remove();
                }
            }
            dropped.increment(samples);
            log.warn("buffer over its bound ({}): dropped {} unacknowledged samples written since {}",
                    tooBig ? "more than " + maxBytes + " bytes" : "older than " + maxAge, samples, from);
            if (segment.equals(activePath)) {
                active.close();
                active = null;
                activePath = null;
            }
            deleteSegment(segment);
        }
    }

    public synchronized long pendingSamples() {
        return pending.values().stream().mapToLong(Entry::samples).sum();
    }

    public synchronized Instant oldestPending() {
        return pending.isEmpty() ? null : pending.firstEntry().getValue().written();
    }

    public synchronized long bytesOnDisk() {
        return segmentBytes.values().stream().mapToLong(Long::longValue).sum();
    }

    private static int crc(long id, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, id).array());
        crc.update(body);
        return (int) crc.getValue();
    }

    @Override
    public synchronized void close() throws IOException {
        if (active != null) {
            active.close();
            active = null;
        }
    }
}

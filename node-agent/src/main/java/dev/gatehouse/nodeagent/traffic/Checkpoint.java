package dev.gatehouse.nodeagent.traffic;

import dev.gatehouse.nodeagent.state.StateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the sampler must not forget across a restart: the next {@code counter_seq} of this node,
 * the id of the last buffered batch these figures include, and each credential's counter reading
 * the last sample was cut at (its baseline). Written whole and atomically after every buffered
 * round; batches buffered after {@code lastBatch} are replayed into it on start, so a crash between
 * the two writes neither loses nor repeats a byte.
 */
final class Checkpoint {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    long nextSeq = 1;
    long lastBatch;
    /** engine:credential → {up, down}. */
    final Map<String, long[]> baselines = new HashMap<>();

    static Checkpoint load(Path file) throws IOException {
        Checkpoint checkpoint = new Checkpoint();
        if (!Files.isRegularFile(file)) {
            return checkpoint;
        }
        JsonNode root = JSON.readTree(Files.readString(file));
        checkpoint.nextSeq = root.path("next_seq").asLong(1);
        checkpoint.lastBatch = root.path("last_batch").asLong(0);
        root.path("baselines").properties().forEach(e -> checkpoint.baselines.put(e.getKey(),
                new long[] {e.getValue().path(0).asLong(), e.getValue().path(1).asLong()}));
        return checkpoint;
    }

    void store(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("next_seq", nextSeq).put("last_batch", lastBatch);
        ObjectNode lines = root.putObject("baselines");
        baselines.forEach((key, value) -> lines.putArray(key).add(value[0]).add(value[1]));
        StateFiles.write(file, JSON.writeValueAsBytes(root), false);
    }
}

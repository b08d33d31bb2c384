package dev.gatehouse.domain.node;

import java.util.List;
import java.util.UUID;

/** Everything a node must serve at {@code revision}, with the configuration of its engines. */
public record NodeSnapshot(UUID nodeId, long revision, NodeEngineSettings config, List<ServedCredential> credentials) {
}

package dev.gatehouse.domain.node;

import java.util.List;
import java.util.UUID;

/**
 * What changed on a node from {@code fromRevision} to {@code toRevision}: credentials to add or keep
 * (upserts) and to remove, with the node's current engine configuration.
 */
public record NodeDiff(UUID nodeId, long fromRevision, long toRevision, NodeEngineSettings config,
                       List<ServedCredential> upserts, List<DesiredState.Entry> removals) {

    public boolean empty() {
        return upserts.isEmpty() && removals.isEmpty() && fromRevision == toRevision;
    }
}

package dev.gatehouse.domain.node;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * What the control plane tells the collectors about a node, on the Redis channel
 * {@link #CHANNEL} (under the installation's namespace). One message a line of text:
 * {@code revision NODE_ID REVISION} or {@code closed NODE_ID REASON}.
 */
public sealed interface NodeEvent {

    /** The channel name, before the Redis namespace. */
    String CHANNEL = "node-events";

    UUID nodeId();

    /** The wire form of the event. */
    String format();

    /** The node's desired state moved to {@code revision}: push the diff to its agent. */
    record RevisionChanged(UUID nodeId, long revision) implements NodeEvent {
        @Override
        public String format() {
            return "revision " + nodeId + " " + revision;
        }
    }

    /** The node may no longer hold a session: close it and refuse it. */
    record Closed(UUID nodeId, Reason reason) implements NodeEvent {
        @Override
        public String format() {
            return "closed " + nodeId + " " + reason.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a node's session must end. */
    enum Reason {
        DISABLED, DELETED
    }

    /** The event a message carries; empty for anything this version does not understand. */
    static Optional<NodeEvent> parse(String message) {
        if (message == null) {
            return Optional.empty();
        }
        String[] parts = message.trim().split(" ");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            UUID node = UUID.fromString(parts[1]);
            return switch (parts[0]) {
                case "revision" -> {
                    long revision = Long.parseLong(parts[2]);
                    yield revision > 0 ? Optional.of(new RevisionChanged(node, revision)) : Optional.empty();
                }
                case "closed" -> Optional.of(new Closed(node, Reason.valueOf(parts[2].toUpperCase(Locale.ROOT))));
                default -> Optional.empty();
            };
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }
}

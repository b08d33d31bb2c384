package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class NodeEventTest {

    private static final UUID NODE = UUID.fromString("6f1f4a6e-1b64-4e57-9a3e-2a4f1a0c9b11");

    @Test
    void eventsReadBackFromTheirWireForm() {
        NodeEvent revision = new NodeEvent.RevisionChanged(NODE, 42);
        NodeEvent closed = new NodeEvent.Closed(NODE, NodeEvent.Reason.DISABLED);
        assertThat(revision.format()).isEqualTo("revision " + NODE + " 42");
        assertThat(closed.format()).isEqualTo("closed " + NODE + " disabled");
        assertThat(NodeEvent.parse(revision.format())).contains(revision);
        assertThat(NodeEvent.parse(closed.format())).contains(closed);
    }

    @Test
    void messagesThisVersionDoesNotUnderstandAreIgnored() {
        for (String message : new String[] {null, "", "probe", NODE + " 42", "revision nope 1", "revision " + NODE,
                "revision " + NODE + " -3", "revision " + NODE + " 0", "revision " + NODE + " 9223372036854775808",
                "closed " + NODE + " exploded", "renamed " + NODE + " x", "revision " + NODE + " 1 extra"}) {
            assertThat(NodeEvent.parse(message)).as(message).isEmpty();
        }
    }
}

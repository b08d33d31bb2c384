package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import dev.gatehouse.nodeagent.engine.EngineException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The core's answers as the driver reads them: error texts and stat names. */
class CoreErrorsTest {

    private static StatusRuntimeException unknown(String text) {
        return Status.UNKNOWN.withDescription(text).asRuntimeException();
    }

    @Test
    void knownRefusalsAreOutcomes() {
        assertThat(CoreErrors.outcome(unknown("proxy/vmess/inbound: User a@b already exists.")))
                .hasValue(Applied.ALREADY_PRESENT);
        assertThat(CoreErrors.outcome(unknown("proxy/vmess/inbound: User a@b not found.")))
                .hasValue(Applied.NOT_FOUND);
        assertThat(CoreErrors.outcome(unknown("app/proxyman/command: failed to get handler: x-in > "
                + "app/proxyman/inbound: handler not found: x-in"))).isEmpty();
        assertThat(CoreErrors.outcome(Status.UNAVAILABLE.withDescription("not found").asRuntimeException())).isEmpty();
        assertThat(CoreErrors.missingInbound(unknown("handler not found: x-in"))).isTrue();
        assertThat(CoreErrors.missingInbound(unknown("User a@b not found."))).isFalse();
    }

    @Test
    void aMissingInboundIsPermanentAnUnreachableCoreIsNot() {
        EngineException missing = CoreErrors.failure("adding u to x-in",
                unknown("app/proxyman/inbound: handler not found: x-in"));
        assertThat(missing.permanent()).isTrue();
        assertThat(missing.getMessage()).startsWith("adding u to x-in: the core has no such inbound");

        EngineException down = CoreErrors.failure("reading the traffic counters",
                Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
        assertThat(down.permanent()).isFalse();
        assertThat(CoreErrors.failure("x", Status.DEADLINE_EXCEEDED.asRuntimeException()).permanent()).isFalse();
        assertThat(CoreErrors.failure("x", unknown("proxy is not a UserManager")).permanent()).isTrue();
    }

    @Test
    void userStatsBecomeCountersPerEmail() {
        Map<String, Long> stats = Map.of(
                "user>>>6F1D>>>traffic>>>uplink", 10L,
                "user>>>6f1d>>>traffic>>>downlink", 200L,
                "user>>>a1b2>>>traffic>>>downlink", 5L,
                "inbound>>>vmess-in>>>traffic>>>uplink", 99L,
                "user>>>odd", 1L);

        assertThat(UserStats.counters(stats)).containsOnly(
                Map.entry("6f1d", new Counters(10, 200)),
                Map.entry("a1b2", new Counters(0, 5)));
    }
}

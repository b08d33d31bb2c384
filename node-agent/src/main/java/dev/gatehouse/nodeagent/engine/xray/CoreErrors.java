package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.Optional;

/**
 * Gives the core's API errors a meaning. The core answers every refusal as UNKNOWN with a text
 * ("User X already exists.", "User X not found.", "handler not found: TAG"), so the texts are the
 * contract; transport failures mean the core is down or busy and are worth retrying.
 */
final class CoreErrors {

    private CoreErrors() {
    }

    /** ALREADY_PRESENT or NOT_FOUND when the core answered one of those, else empty. */
    static Optional<Applied> outcome(StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNKNOWN) {
            return Optional.empty();
        }
        String text = text(e);
        if (text.contains("already exists")) {
            return Optional.of(Applied.ALREADY_PRESENT);
        }
        if (text.contains("not found") && !missingInbound(e)) {
            return Optional.of(Applied.NOT_FOUND);
        }
        return Optional.empty();
    }

    /** The core has no inbound with the tag (it serves nobody there). */
    static boolean missingInbound(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.UNKNOWN && text(e).contains("handler not found");
    }

    /** The failure as the driver reports it: permanent when the core answered, else worth a retry. */
    static EngineException failure(String what, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        String detail = firstLine(e.getStatus().getDescription());
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED, ABORTED ->
                    new EngineException(what + ": the core's API is unreachable (" + code + " " + detail + ")", e);
            default -> new EngineException(what + ": " + (missingInbound(e)
                    ? "the core has no such inbound" : "the core refused it") + " (" + detail + ")", true);
        };
    }

    private static String text(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        return description == null ? "" : description.toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}

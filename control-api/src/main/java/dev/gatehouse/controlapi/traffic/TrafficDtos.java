package dev.gatehouse.controlapi.traffic;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of /traffic. */
final class TrafficDtos {

    private TrafficDtos() {
    }

    /**
     * One traffic sample, as a node agent sends it over its session.
     *
     * @param credentialId the credential the core counted (its Xray email, its WireGuard peer)
     * @param counterSeq   from one persisted sequence per node; with ts_end the dedupe key
     */
    record Sample(@NotBlank String credentialId, @NotNull Engine engine, @NotNull Instant tsStart,
                  @NotNull Instant tsEnd, @NotNull @PositiveOrZero Long counterSeq,
                  @NotNull @PositiveOrZero Long bytesUp, @NotNull @PositiveOrZero Long bytesDown) {
    }

    /** Samples one node counted, for producers that report over HTTP instead of a node session. */
    record EventsRequest(@NotNull UUID nodeId, @NotEmpty @Size(max = 10000) List<@NotNull @Valid Sample> samples) {
    }

    record Rejection(int index, String reason) {
    }

    /** What the batch did: new samples, samples already stored (a resend), refused samples with why. */
    record EventsResult(int accepted, int duplicates, List<Rejection> rejected) {
    }

    /** A subscription's usage now: the period's counters (what the quota is checked against) and the lifetime's. */
    record Usage(UUID subscriptionId, UUID tenantId, UUID userId, SubscriptionState state, Long quotaBytes,
                 long usedBytesUp, long usedBytesDown, long lifetimeBytesUp, long lifetimeBytesDown,
                 Instant lastResetAt) {
    }

    /** Raw bytes over a time range for one key of the grouping (a tenant, person, node or engine). */
    record SummaryRow(String key, long bytesUp, long bytesDown, long samples) {
    }

    record Rollup(Instant hour, UUID tenantId, UUID userId, UUID subscriptionId, UUID nodeId, Engine engine,
                  long bytesUp, long bytesDown, long samples) {
    }
}

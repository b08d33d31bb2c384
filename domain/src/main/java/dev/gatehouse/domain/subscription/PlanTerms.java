package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.ResetStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What a plan promises, as a subscription takes it on. */
public record PlanTerms(UUID id, UUID tenantId, List<Engine> engines, Long quotaBytes, Integer durationDays,
                        ResetStrategy resetStrategy, boolean startOnFirstUse, Integer onHoldDays, UUID nextPlanId) {

    /** The expiry of a period of this plan that starts at {@code start}; null when it never expires. */
    public Instant expiryFrom(Instant start) {
        return durationDays == null ? null : start.plus(Duration.ofDays(durationDays));
    }
}

package dev.gatehouse.controlapi.plan;

import static dev.gatehouse.controlapi.web.TextRules.NOT_BLANK;

import dev.gatehouse.domain.model.ResetStrategy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of /plans. */
final class PlanDtos {

    private PlanDtos() {
    }

    /**
     * @param quotaBytes      data limit; omitted or null for unlimited
     * @param durationDays    validity from activation; omitted for no expiry
     * @param startOnFirstUse the clock starts at the first use, which must come within onHoldDays
     * @param nextPlanId      plan applied when this one is exhausted or expires
     */
    record PlanCreateRequest(@NotNull UUID tenantId,
                             @NotBlank @Size(max = 100) String name,
                             @Size(max = 2000) String description,
                             @PositiveOrZero Long quotaBytes,
                             @Min(1) @Max(36500) Integer durationDays,
                             @NotNull @Size(min = 1, max = 2) List<@NotBlank String> engines,
                             ResetStrategy resetStrategy,
                             Boolean startOnFirstUse,
                             @Min(1) @Max(3650) Integer onHoldDays,
                             UUID nextPlanId,
                             Boolean allowEngineOverride) {
    }

    /** Fields left out stay as they are; quota_unlimited=true clears the quota. */
    record PlanUpdateRequest(@Size(min = 1, max = 100) @Pattern(regexp = NOT_BLANK, message = "must not be blank")
                             String name,
                             @Size(max = 2000) String description,
                             @PositiveOrZero Long quotaBytes,
                             Boolean quotaUnlimited,
                             @Min(1) @Max(36500) Integer durationDays,
                             @Size(min = 1, max = 2) List<@NotBlank String> engines,
                             ResetStrategy resetStrategy,
                             Boolean startOnFirstUse,
                             @Min(1) @Max(3650) Integer onHoldDays,
                             UUID nextPlanId,
                             Boolean allowEngineOverride) {
    }

    record PlanResponse(UUID id, UUID tenantId, String name, String description, Long quotaBytes,
                        Integer durationDays, List<String> engines, ResetStrategy resetStrategy, boolean startOnFirstUse,
                        Integer onHoldDays, UUID nextPlanId, boolean allowEngineOverride, long subscriptions,
                        Instant createdAt, Instant updatedAt) {
    }
}

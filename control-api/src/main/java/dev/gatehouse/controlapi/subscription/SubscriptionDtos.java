package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.domain.model.ResetStrategy;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.model.AssignmentStrategy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of /subscriptions. */
final class SubscriptionDtos {

    private SubscriptionDtos() {
    }

    /**
     * @param engines    defaults to the plan's engines, and must be among them
     * @param quotaBytes overrides the plan's quota for this subscription
     * @param expiresAt  overrides the plan's duration; must be in the future
     * @param nodeIds    with the manual strategy: the nodes, primary first
     */
    record SubscriptionCreateRequest(@NotNull UUID userId,
                                     @NotNull UUID planId,
                                     @Size(min = 1, max = 2) List<@NotBlank String> engines,
                                     @PositiveOrZero Long quotaBytes,
                                     Instant expiresAt,
                                     AssignmentStrategy strategy,
                                     @Size(max = 16) List<@NotBlank String> tags,
                                     @Min(0) @Max(16) Integer redundancy,
                                     @Size(max = 17) List<UUID> nodeIds) {
    }

    record SubscriptionUpdateRequest(@PositiveOrZero Long quotaBytes,
                                     Boolean quotaUnlimited,
                                     Instant expiresAt,
                                     Boolean neverExpires,
                                     @Size(min = 1, max = 2) List<@NotBlank String> engines,
                                     UUID nextPlanId) {
    }

    record ReassignRequest(AssignmentStrategy strategy,
                           @Size(max = 16) List<@NotBlank String> tags,
                           @Min(0) @Max(16) Integer redundancy,
                           @Size(max = 17) List<UUID> nodeIds) {
    }

    record TransitionRequest(@Size(max = 500) String reason) {
    }

    record Assignment(UUID nodeId, String role) {
    }

    /**
     * @param nextResetAt when the period usage next resets: the end of the current day, week (from
     *                    Monday), month or year on the tenant's calendar; null for no_reset
     * @param degraded    live (active or on_hold) but on no node, or on a node that is offline
     */
    record SubscriptionResponse(UUID id, UUID tenantId, UUID userId, UUID planId, SubscriptionState state, String stateReason,
                                List<String> engines, Long quotaBytes, long usedBytesUp, long usedBytesDown,
                                long lifetimeBytesUp, long lifetimeBytesDown, ResetStrategy resetStrategy, Instant startsAt,
                                Instant expiresAt, Instant onHoldDeadline, Instant lastResetAt, Instant nextResetAt,
                                UUID nextPlanId, AssignmentStrategy strategy, List<String> tags, int redundancy,
                                List<Assignment> nodes, boolean degraded, Instant createdAt, Instant updatedAt) {
    }

    /** A new subscription and its subscription-link token (shown once; rotate to get a new one). */
    record SubscriptionCreated(SubscriptionResponse subscription, String subscriptionToken) {
    }

    /** The subscription every user of a bulk creation gets. */
    record SubscriptionTemplate(@NotNull UUID planId,
                                @Size(min = 1, max = 2) List<@NotBlank String> engines,
                                @PositiveOrZero Long quotaBytes,
                                Instant expiresAt,
                                AssignmentStrategy strategy,
                                @Size(max = 16) List<@NotBlank String> tags,
                                @Min(0) @Max(16) Integer redundancy,
                                @Size(max = 17) List<UUID> nodeIds) {
    }

    record BulkUsersRequest(@NotNull UUID tenantId,
                            @NotEmpty @Size(max = 500) List<@NotBlank String> usernames,
                            @NotNull @jakarta.validation.Valid SubscriptionTemplate template) {
    }

    record BulkUserCreated(UUID userId, String username, SubscriptionResponse subscription,
                           String subscriptionToken) {
    }

    record BulkIds(@NotEmpty @Size(max = 1000) List<@NotNull UUID> subscriptionIds) {
    }

    record BulkExtendRequest(@NotEmpty @Size(max = 1000) List<@NotNull UUID> subscriptionIds,
                             @Positive @Max(36500) int days) {
    }

    record BulkQuotaRequest(@NotEmpty @Size(max = 1000) List<@NotNull UUID> subscriptionIds,
                            @Positive Long bytes) {
    }

    record BulkResult(int changed, List<SubscriptionResponse> subscriptions) {
    }
}

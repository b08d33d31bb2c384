package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.domain.model.ResetStrategy;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.model.AssignmentStrategy;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A subscription as a record to read. Its rows are written set-based in SQL (by the domain core and
 * {@link SubscriptionRepository}), so the entity is immutable to Hibernate and re-read after writes.
 */
@Entity
@Table(name = "subscriptions")
@Immutable
class Subscription {

    /** A node the subscription is assigned to, and whether as primary or redundant. */
    @Embeddable
    record Placement(UUID nodeId, String role) {
    }

    @Id
    private UUID id;
    private UUID tenantId;
    private UUID userId;
    private UUID planId;
    private String state;
    private String stateReason;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] engines;
    private Long quotaBytes;
    private long usedBytesUp;
    private long usedBytesDown;
    /** Period usage, for sorting by it. */
    @Formula("(used_bytes_up + used_bytes_down)")
    private long usedBytes;
    private long lifetimeBytesUp;
    private long lifetimeBytesDown;
    private String resetStrategy;
    private Instant startsAt;
    private Instant expiresAt;
    private Instant onHoldDeadline;
    private Instant lastResetAt;
    /** Kept by a trigger: the end of the current usage period on the tenant's calendar. */
    private Instant nextResetAt;
    private UUID nextPlanId;
    private String assignmentStrategy;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] assignmentTags;
    private int redundancy;
    @ElementCollection
    @CollectionTable(name = "node_assignments", joinColumns = @JoinColumn(name = "subscription_id"))
    @BatchSize(size = 500)
    private List<Placement> placements = new ArrayList<>();
    /**
     * Live but not fully served: no node at all, or a node of it is offline. Computed in the query
     * that reads the row, so a list can filter on it.
     */
    @Formula("(state IN ('active', 'on_hold') AND (NOT EXISTS (SELECT 1 FROM node_assignments a"
            + " WHERE a.subscription_id = id) OR EXISTS (SELECT 1 FROM node_assignments a JOIN nodes n"
            + " ON n.id = a.node_id WHERE a.subscription_id = id AND n.status = 'offline')))")
    private boolean degraded;
    private Instant createdAt;
    private Instant updatedAt;

    protected Subscription() {
    }

    SubscriptionDtos.SubscriptionResponse response() {
        List<SubscriptionDtos.Assignment> nodes = placements.stream()
                .sorted(Comparator.comparing((Placement p) -> !"primary".equals(p.role()))
                        .thenComparing(Placement::nodeId))
                .map(p -> new SubscriptionDtos.Assignment(p.nodeId(), p.role())).toList();
        return new SubscriptionDtos.SubscriptionResponse(id, tenantId, userId, planId, SubscriptionState.fromDb(state), stateReason,
                List.of(engines), quotaBytes, usedBytesUp, usedBytesDown, lifetimeBytesUp, lifetimeBytesDown,
                ResetStrategy.fromDb(resetStrategy), startsAt, expiresAt, onHoldDeadline, lastResetAt, nextResetAt,
                nextPlanId, AssignmentStrategy.fromDb(assignmentStrategy),
                List.of(assignmentTags), redundancy, nodes, degraded, createdAt, updatedAt);
    }
}

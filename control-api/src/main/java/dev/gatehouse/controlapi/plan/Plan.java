package dev.gatehouse.controlapi.plan;

import dev.gatehouse.domain.model.ResetStrategy;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A plan: what a tenant sells (quota, duration, engines, resets, first-use start, next plan). */
@Entity
@Table(name = "plans")
class Plan {

    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    private String description;
    private Long quotaBytes;
    private Integer durationDays;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] engines;
    private String resetStrategy;
    private boolean startOnFirstUse;
    private Integer onHoldDays;
    private UUID nextPlanId;
    private boolean allowEngineOverride;
    /** How many subscriptions are on the plan, read with it. */
    @Formula("(SELECT count(*) FROM subscriptions s WHERE s.plan_id = id)")
    private long subscriptions;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Plan() {
    }

    Plan(UUID tenantId, PlanDtos.PlanCreateRequest r, List<String> engines, Instant now) {
        this.id = UUID.randomUUID();
        this.tenantId = tenantId;
        this.name = r.name().trim();
        this.description = r.description();
        this.quotaBytes = r.quotaBytes();
        this.durationDays = r.durationDays();
        this.engines = engines.toArray(String[]::new);
        this.resetStrategy = (r.resetStrategy() == null ? ResetStrategy.NO_RESET : r.resetStrategy()).db();
        this.startOnFirstUse = Boolean.TRUE.equals(r.startOnFirstUse());
        this.onHoldDays = r.onHoldDays();
        this.nextPlanId = r.nextPlanId();
        this.allowEngineOverride = Boolean.TRUE.equals(r.allowEngineOverride());
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Applies the fields the request carries; the others stay. */
    void update(PlanDtos.PlanUpdateRequest r, List<String> engines, Instant now) {
        if (r.name() != null) {
            name = r.name().trim();
        }
        if (r.description() != null) {
            description = r.description();
        }
        if (Boolean.TRUE.equals(r.quotaUnlimited())) {
            quotaBytes = null;
        } else if (r.quotaBytes() != null) {
            quotaBytes = r.quotaBytes();
        }
        if (r.durationDays() != null) {
            durationDays = r.durationDays();
        }
        if (engines != null) {
            this.engines = engines.toArray(String[]::new);
        }
        if (r.resetStrategy() != null) {
            resetStrategy = r.resetStrategy().db();
        }
        if (r.startOnFirstUse() != null) {
            startOnFirstUse = r.startOnFirstUse();
        }
        if (r.onHoldDays() != null) {
            onHoldDays = r.onHoldDays();
        }
        if (r.nextPlanId() != null) {
            nextPlanId = r.nextPlanId();
        }
        if (r.allowEngineOverride() != null) {
            allowEngineOverride = r.allowEngineOverride();
        }
        updatedAt = now;
    }

    UUID id() {
        return id;
    }

    UUID tenantId() {
        return tenantId;
    }

    PlanDtos.PlanResponse response() {
        return new PlanDtos.PlanResponse(id, tenantId, name, description, quotaBytes, durationDays, List.of(engines),
                ResetStrategy.fromDb(resetStrategy), startOnFirstUse, onHoldDays, nextPlanId, allowEngineOverride, subscriptions, createdAt,
                updatedAt);
    }
}

package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.ResetStrategy;
import dev.gatehouse.domain.model.SubscriptionState;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies {@link Lifecycle} decisions to stored subscriptions, in the caller's transaction, with the
 * subscription row locked. It changes states and plans; syncing nodes is the caller's next step
 * (one sync for everything it changed).
 */
public class SubscriptionLifecycle {

    /** What happened to a subscription; {@code fromPlan}/{@code toPlan} are set when it rolled over. */
    public record Outcome(UUID subscriptionId, UUID tenantId, Lifecycle.Decision decision, UUID fromPlan,
                          UUID toPlan) {
        public boolean rolledOver() {
            return toPlan != null;
        }
    }

    private record Row(UUID tenantId, UUID planId, Lifecycle.Terms terms) {
    }

    private final JdbcClient jdbc;
    private final Credentials credentials;
    private final Clock clock;

    public SubscriptionLifecycle(JdbcClient jdbc, Credentials credentials, Clock clock) {
        this.jdbc = jdbc;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** Settles the subscription (see {@link Lifecycle#settle}); {@code liftReason} for resume or enable. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Outcome> settle(UUID id, String liftReason) {
        return lock(id).map(row -> apply(id, row, Lifecycle.settle(row.terms(), clock.instant(), liftReason)));
    }

    /** Traffic was counted for the subscription: an on-hold one starts its clock, then settles. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Outcome> used(UUID id) {
        Optional<Row> row = lock(id);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Lifecycle.Decision first = Lifecycle.firstUse(row.get().terms());
        if (first.changes()) {
            activate(id, row.get().planId(), first.reason());
        }
        return settle(id, null);
    }

    /** Starts an on-hold subscription's clock now (first use, or an administrator's activation). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void activate(UUID id, UUID planId, String reason) {
        Instant now = clock.instant();
        Instant expires = plan(planId).map(p -> p.expiryFrom(now)).orElse(null);
        jdbc.sql("""
                        UPDATE subscriptions SET starts_at = ?, expires_at = COALESCE(expires_at, ?),
                               on_hold_deadline = NULL, state = 'active', state_reason = ?, state_changed_at = ?,
                               updated_at = ?, version = version + 1
                        WHERE id = ? AND state = 'on_hold'""")
                .params(ts(now), ts(expires), reason, ts(now), ts(now), id).update();
    }

    /** Sets a state an administrator chose (suspend, disable); the row must be locked. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void setState(UUID id, SubscriptionState state, String reason) {
        Instant now = clock.instant();
        jdbc.sql("""
                        UPDATE subscriptions SET state = ?, state_reason = ?, state_changed_at = ?,
                               updated_at = ?, version = version + 1
                        WHERE id = ?""")
                .params(state.db(), reason, ts(now), ts(now), id).update();
    }

    /** What a plan promises; empty when there is no such plan. */
    public Optional<PlanTerms> plan(UUID planId) {
        if (planId == null) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        SELECT id, tenant_id, engines, quota_bytes, duration_days, reset_strategy, start_on_first_use,
                               on_hold_days, next_plan_id
                        FROM plans WHERE id = ?""")
                .param(planId)
                .query((rs, n) -> new PlanTerms(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        Engine.fromDbArray((String[]) rs.getArray(3).getArray()), (Long) rs.getObject(4),
                        (Integer) rs.getObject(5), ResetStrategy.fromDb(rs.getString(6)), rs.getBoolean(7),
                        (Integer) rs.getObject(8), rs.getObject(9, UUID.class)))
                .optional();
    }

    private Outcome apply(UUID id, Row row, Lifecycle.Decision decision) {
        switch (decision.action()) {
            case NONE, ACTIVATE -> {
                return new Outcome(id, row.tenantId(), decision, null, null);
            }
            case SET_STATE -> setState(id, decision.state(), decision.reason());
            case ROLL_OVER -> {
                PlanTerms next = plan(row.terms().nextPlanId()).orElse(null);
                if (next == null) {
                    Lifecycle.Decision expired = new Lifecycle.Decision(Lifecycle.Action.SET_STATE,
                            SubscriptionState.EXPIRED, "its next plan is gone");
                    setState(id, expired.state(), expired.reason());
                    return new Outcome(id, row.tenantId(), expired, null, null);
                }
                moveToPlan(id, next);
                setState(id, SubscriptionState.ACTIVE, decision.reason());
                credentials.ensure(id);
                return new Outcome(id, row.tenantId(), decision, row.planId(), next.id());
            }
        }
        return new Outcome(id, row.tenantId(), decision, null, null);
    }

    /** Puts the subscription on another plan's terms; the period's usage starts over, lifetime usage stays. */
    private void moveToPlan(UUID id, PlanTerms plan) {
        Instant now = clock.instant();
        jdbc.sql("""
                        UPDATE subscriptions SET plan_id = ?, quota_bytes = ?, reset_strategy = ?,
                               engines = CAST(? AS text[]), next_plan_id = ?, starts_at = ?, expires_at = ?,
                               on_hold_deadline = NULL, used_bytes_up = 0, used_bytes_down = 0, last_reset_at = ?,
                               updated_at = ?, version = version + 1
                        WHERE id = ?""")
                .params(plan.id(), plan.quotaBytes(), plan.resetStrategy().db(), Engine.dbArray(plan.engines()),
                        plan.nextPlanId(), ts(now), ts(plan.expiryFrom(now)), ts(now), ts(now), id)
                .update();
    }

    private Optional<Row> lock(UUID id) {
        return jdbc.sql("""
                        SELECT tenant_id, plan_id, state, starts_at, expires_at, on_hold_deadline, quota_bytes,
                               used_bytes_up + used_bytes_down, next_plan_id
                        FROM subscriptions WHERE id = ? FOR UPDATE""")
                .param(id)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        new Lifecycle.Terms(SubscriptionState.fromDb(rs.getString(3)), instant(rs.getTimestamp(4)),
                                instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), (Long) rs.getObject(7),
                                rs.getLong(8), rs.getObject(9, UUID.class))))
                .optional();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

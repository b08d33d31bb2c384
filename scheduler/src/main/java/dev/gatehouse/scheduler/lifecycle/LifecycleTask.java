package dev.gatehouse.scheduler.lifecycle;

import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import dev.gatehouse.scheduler.job.SystemAudit;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The slow path of the subscription lifecycle: finds, from the running counters and dates, every
 * subscription whose stored state is not what the domain's lifecycle says (expired, an unused
 * on-hold deadline passed, at its quota, due for its next plan, or exhausted with room again),
 * settles each under its row lock through {@link SubscriptionLifecycle} (which re-decides on the
 * locked row, so a change made meanwhile is never applied twice) and syncs the nodes once per batch.
 * Its interval is the longest an expiry waits to cut a person off.
 */
@Component
public class LifecycleTask implements ScheduledTask {

    public static final int BATCH = 500;

    /** Subscriptions whose state the lifecycle would change at :now (the same rule as Lifecycle.settle). */
    static final String DUE = """
            SELECT id FROM subscriptions
            WHERE id > ? AND (
                  (state IN ('active', 'on_hold') AND (
                        (expires_at IS NOT NULL AND expires_at <= ?)
                     OR (starts_at IS NULL AND on_hold_deadline IS NOT NULL AND on_hold_deadline <= ?)
                     OR (quota_bytes IS NOT NULL AND used_bytes_up + used_bytes_down >= quota_bytes)))
               OR (state IN ('exhausted', 'expired') AND next_plan_id IS NOT NULL)
               OR (state = 'exhausted' AND ((expires_at IS NOT NULL AND expires_at <= ?)
                                            OR quota_bytes IS NULL OR used_bytes_up + used_bytes_down < quota_bytes)))
            ORDER BY id LIMIT ?""";

    private final JdbcClient jdbc;
    private final SubscriptionLifecycle lifecycle;
    private final DesiredState desired;
    private final SystemAudit audit;

    public LifecycleTask(JdbcClient jdbc, SubscriptionLifecycle lifecycle, DesiredState desired, SystemAudit audit) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.desired = desired;
        this.audit = audit;
    }

    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public String description() {
        return "Expires, exhausts, moves onto the next plan or reactivates every subscription whose dates or running"
                + " counters call for it, and tells its nodes; its interval bounds the cut-off delay of an expiry";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofSeconds(30);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        long changed = 0;
        UUID after = new UUID(0, 0);
        while (true) {
            List<UUID> due = due(after, now, BATCH);
            if (due.isEmpty()) {
                return changed;
            }
            after = due.get(due.size() - 1);
            changed += context.write(() -> settle(due));
            if (due.size() < BATCH) {
                return changed;
            }
        }
    }

    /** The ids due at {@code now}, after {@code after} in id order (the sweep's one read). */
    public List<UUID> due(UUID after, Instant now, int limit) {
        Timestamp at = Timestamp.from(now);
        return jdbc.sql(DUE).params(after, at, at, at, limit).query(UUID.class).list();
    }

    private int settle(List<UUID> ids) {
        List<UUID> changed = new ArrayList<>();
        for (UUID id : ids) {
            lifecycle.settle(id, null).filter(o -> o.decision().changes()).ifPresent(o -> {
                changed.add(id);
                if (o.rolledOver()) {
                    audit.record(o.tenantId(), "subscription.next_plan", "subscription", id,
                            Map.of("plan_id", o.fromPlan()), Map.of("plan_id", o.toPlan()));
                }
            });
        }
        desired.syncSubscriptions(changed);
        return changed.size();
    }
}

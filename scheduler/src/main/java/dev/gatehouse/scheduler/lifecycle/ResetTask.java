package dev.gatehouse.scheduler.lifecycle;

import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Periodic data-limit resets. A subscription's period ends on the calendar of its tenant's time
 * zone (next_reset_at, kept by the database from the last reset or the start); when it has, its
 * period usage starts over (lifetime usage stays) and an exhausted subscription comes back through
 * the lifecycle. The UPDATE re-checks next_reset_at on the locked row, and moving last_reset_at
 * moves next_reset_at past now, so a period is reset once however often the job runs, and once
 * (not once per missed period) after time without a run.
 */
@Component
class ResetTask implements ScheduledTask {

    private static final int BATCH = 500;

    private final JdbcClient jdbc;
    private final SubscriptionLifecycle lifecycle;
    private final DesiredState desired;

    ResetTask(JdbcClient jdbc, SubscriptionLifecycle lifecycle, DesiredState desired) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.desired = desired;
    }

    @Override
    public String name() {
        return "resets";
    }

    @Override
    public String description() {
        return "Starts the period usage over for subscriptions whose day, week, month or year (in the tenant's time"
                + " zone) has ended, once per period, and brings exhausted ones back";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofMinutes(1);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        long reset = 0;
        while (true) {
            List<UUID> due = jdbc.sql("SELECT id FROM subscriptions WHERE next_reset_at <= ? ORDER BY id LIMIT ?")
                    .params(Timestamp.from(now), BATCH).query(UUID.class).list();
            if (due.isEmpty()) {
                return reset;
            }
            int done = context.write(() -> reset(due, now));
            reset += done;
            if (done == 0 || due.size() < BATCH) {
                return reset;
            }
        }
    }

    private int reset(List<UUID> ids, Instant now) {
        UUID[] locked = jdbc.sql("SELECT id FROM subscriptions WHERE id = ANY(?) ORDER BY id FOR UPDATE")
                .param(ids.toArray(UUID[]::new)).query(UUID.class).list().toArray(UUID[]::new);
        Timestamp at = Timestamp.from(now);
        record Reset(UUID id, SubscriptionState state) {
        }
        List<Reset> done = jdbc.sql("""
                        UPDATE subscriptions SET used_bytes_up = 0, used_bytes_down = 0, last_reset_at = ?,
                               updated_at = ?, version = version + 1
                        WHERE id = ANY(?) AND next_reset_at <= ?
                        RETURNING id, state""")
                .params(at, at, locked, at)
                .query((rs, n) -> new Reset(rs.getObject(1, UUID.class), SubscriptionState.fromDb(rs.getString(2))))
                .list();
        List<UUID> changed = new ArrayList<>();
        done.stream().filter(r -> r.state() == SubscriptionState.EXHAUSTED).map(Reset::id).sorted().forEach(id ->
                lifecycle.settle(id, null).filter(o -> o.decision().changes()).ifPresent(o -> changed.add(id)));
        desired.syncSubscriptions(changed);
        return done.size();
    }
}

package dev.gatehouse.scheduler.node;

import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes what can no longer be used: expired enrollment tokens, expired or long-revoked sessions
 * (with their refresh tokens), expired refresh tokens, API tokens expired or revoked past the kept
 * window, old job runs, finished webhook deliveries and old notifications. A used refresh token is
 * kept until it expires, since its reuse is how a stolen token is detected.
 */
@Component
class PurgeTask implements ScheduledTask {

    private final JdbcClient jdbc;
    private final SchedulerProperties properties;

    PurgeTask(JdbcClient jdbc, SchedulerProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public String name() {
        return "purge";
    }

    @Override
    public String description() {
        return "Deletes expired enrollment tokens, sessions, refresh and API tokens, and job runs, deliveries and"
                + " notifications past their kept window";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(1);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        Timestamp at = Timestamp.from(now);
        Timestamp history = Timestamp.from(now.minus(properties.historyKept()));
        Timestamp notifications = Timestamp.from(now.minus(properties.notificationsKept()));
        return context.write(() -> jdbc.sql("DELETE FROM enrollment_tokens WHERE expires_at < ?").param(at).update()
                + jdbc.sql("DELETE FROM auth_sessions WHERE expires_at < ? OR revoked_at < ?").params(at, history)
                        .update()
                + jdbc.sql("DELETE FROM refresh_tokens WHERE expires_at < ?").param(at).update()
                + jdbc.sql("DELETE FROM api_tokens WHERE expires_at < ? OR revoked_at < ?").params(history, history)
                        .update()
                + jdbc.sql("DELETE FROM job_runs WHERE started_at < ?").param(history)
                        .update()
                + jdbc.sql("DELETE FROM webhook_deliveries WHERE status <> ? AND created_at < ?")
                        .params(WebhookDeliveryStatus.PENDING.db(), history).update()
                + jdbc.sql("DELETE FROM notifications WHERE created_at < ?").param(notifications).update());
    }
}

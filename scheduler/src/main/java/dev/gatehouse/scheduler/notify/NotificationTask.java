package dev.gatehouse.scheduler.notify;

import dev.gatehouse.domain.model.NotificationKind;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Finds what tenants want to hear about (usage at 80% and 100% of the data limit, expiry within
 * three days, expired, a node offline past the TTL) and makes one notification per subject and
 * period (the usage period, the expiry instant, the offline spell), with one delivery for each of
 * the tenant's enabled webhooks that asks for its kind, in the same statement. The unique key on
 * (kind, subject, period) makes a second detection a no-op, so each event is sent once per period.
 * Only tenants with a webhook for a kind are searched for it.
 */
@Component
class NotificationTask implements ScheduledTask {

    /** One kind: what it is about, the period it is once per, and when it holds. */
    private record Kind(NotificationKind kind, String subjects, String tenant, String subject, String period,
                        String payload, String condition) {
    }

    private static final String NOW = "CAST(:now AS timestamptz)";
    private static final String UTC_TEXT = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
    private static final String SUBSCRIPTIONS = "subscriptions s JOIN users u ON u.id = s.user_id";
    private static final String SUBSCRIPTION_PAYLOAD = """
            jsonb_build_object('subscription_id', s.id, 'user_id', s.user_id, 'username', u.username,
                               'plan_id', s.plan_id, 'state', s.state,
                               'used_bytes', s.used_bytes_up + s.used_bytes_down, 'quota_bytes', s.quota_bytes,
                               'expires_at', s.expires_at)""";
    private static final String USED = "(s.used_bytes_up + s.used_bytes_down)::numeric";
    private static final String USAGE_PERIOD = UTC_TEXT.formatted("COALESCE(s.last_reset_at, s.starts_at, s.created_at)");

    private static final Kind[] KINDS = {
        new Kind(NotificationKind.USAGE_80, SUBSCRIPTIONS, "s.tenant_id", "s.id", USAGE_PERIOD, SUBSCRIPTION_PAYLOAD,
                "s.state IN ('active', 'on_hold', 'exhausted') AND s.quota_bytes > 0 AND " + USED
                        + " >= s.quota_bytes * 0.8"),
        new Kind(NotificationKind.USAGE_100, SUBSCRIPTIONS, "s.tenant_id", "s.id", USAGE_PERIOD,
                SUBSCRIPTION_PAYLOAD,
                "s.state IN ('active', 'on_hold', 'exhausted') AND s.quota_bytes IS NOT NULL AND " + USED
                        + " >= s.quota_bytes"),
        new Kind(NotificationKind.EXPIRING, SUBSCRIPTIONS, "s.tenant_id", "s.id", UTC_TEXT.formatted("s.expires_at"),
                SUBSCRIPTION_PAYLOAD, "s.state IN ('active', 'on_hold') AND s.expires_at > " + NOW
                        + " AND s.expires_at <= " + NOW + " + interval '3 days'"),
        new Kind(NotificationKind.EXPIRED, SUBSCRIPTIONS, "s.tenant_id", "s.id",
                UTC_TEXT.formatted("COALESCE(s.expires_at, s.on_hold_deadline, s.state_changed_at)"),
                SUBSCRIPTION_PAYLOAD, "s.state = 'expired' AND s.state_changed_at > " + NOW + " - interval '7 days'"),
        new Kind(NotificationKind.NODE_OFFLINE, "nodes n", "n.tenant_id", "n.id",
                UTC_TEXT.formatted("n.last_seen_at"), """
                jsonb_build_object('node_id', n.id, 'name', n.name, 'address', n.address,
                                   'last_seen_at', n.last_seen_at)""",
                "n.status = 'offline' AND n.last_seen_at < " + NOW + " - CAST(:offline AS interval)"
                        + " AND n.last_seen_at > " + NOW + " - interval '7 days'"),
    };

    private final JdbcClient jdbc;
    private final Duration offlineAfter;

    NotificationTask(JdbcClient jdbc, SchedulerProperties properties) {
        this.jdbc = jdbc;
        this.offlineAfter = properties.nodeOfflineAfter();
    }

    @Override
    public String name() {
        return "notifications";
    }

    @Override
    public String description() {
        return "Makes usage 80%/100%, expiring (3 days), expired and node-offline notifications once per period and"
                + " queues a delivery for each webhook that wants them";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofMinutes(1);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        long queued = 0;
        for (Kind kind : KINDS) {
            queued += context.write(() -> detect(kind, now));
        }
        return queued;
    }

    /** Makes the kind's new notifications and their deliveries; returns the deliveries queued. */
    private int detect(Kind kind, Instant now) {
        String sql = """
                WITH found AS (
                    SELECT %s AS tenant_id, %s AS subject_id, %s AS period_key, %s AS payload
                    FROM %s
                    WHERE %s
                      AND EXISTS (SELECT 1 FROM webhooks w WHERE w.tenant_id = %s AND w.enabled
                                  AND :kind = ANY (w.events))
                      AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.kind = :kind AND x.subject_id = %s
                                      AND x.period_key = %s)
                    LIMIT 10000),
                made AS (
                    INSERT INTO notifications (tenant_id, kind, subject_id, period_key, payload)
                    SELECT tenant_id, :kind, subject_id, period_key, payload FROM found
                    ON CONFLICT (kind, subject_id, period_key) DO NOTHING
                    RETURNING id, tenant_id)
                INSERT INTO webhook_deliveries (webhook_id, notification_id, tenant_id)
                SELECT w.id, m.id, m.tenant_id FROM made m
                JOIN webhooks w ON w.tenant_id = m.tenant_id AND w.enabled AND :kind = ANY (w.events)
                ON CONFLICT (webhook_id, notification_id) DO NOTHING"""
                .formatted(kind.tenant(), kind.subject(), kind.period(), kind.payload(), kind.subjects(), kind.condition(),
                        kind.tenant(), kind.subject(), kind.period());
        return jdbc.sql(sql).param("kind", kind.kind().db()).param("now", Timestamp.from(now))
                .param("offline", offlineAfter.toSeconds() + " seconds").update();
    }
}

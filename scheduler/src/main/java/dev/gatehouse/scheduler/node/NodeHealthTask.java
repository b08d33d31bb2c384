package dev.gatehouse.scheduler.node;

import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.sql.Timestamp;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Marks offline every node whose agent has sent nothing for longer than the TTL (its session ended
 * without the collector seeing it: a collector crash, a lost network). A disabled node is never
 * touched. The subscriptions an offline node serves read as degraded in the API until it returns
 * (its next session marks it online) or they are re-homed.
 */
@Component
class NodeHealthTask implements ScheduledTask {

    private final JdbcClient jdbc;
    private final Duration ttl;

    NodeHealthTask(JdbcClient jdbc, SchedulerProperties properties) {
        this.jdbc = jdbc;
        this.ttl = properties.nodeOfflineAfter();
    }

    @Override
    public String name() {
        return "node-health";
    }

    @Override
    public String description() {
        return "Marks offline the nodes silent for longer than the offline TTL (never a disabled one)";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofSeconds(30);
    }

    @Override
    public long run(JobContext context) {
        Timestamp silentSince = Timestamp.from(context.now().minus(ttl));
        return context.write(() -> jdbc.sql("""
                        UPDATE nodes SET status = 'offline', updated_at = now()
                        WHERE status IN ('online', 'degraded') AND (last_seen_at IS NULL OR last_seen_at < ?)""")
                .param(silentSince).update());
    }
}

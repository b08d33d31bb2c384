package dev.gatehouse.scheduler.node;

import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Recomputes every node's desired state from the served rule, one node per transaction: whatever a
 * missed sync left out (a change made by hand in the database, a rule that depends on time, like an
 * expiry passing) is logged as a change and pushed. A node already level costs two reads.
 */
@Component
class FullSyncTask implements ScheduledTask {

    private final JdbcClient jdbc;
    private final DesiredState desired;

    FullSyncTask(JdbcClient jdbc, DesiredState desired) {
        this.jdbc = jdbc;
        this.desired = desired;
    }

    @Override
    public String name() {
        return "full-sync";
    }

    @Override
    public String description() {
        return "Recomputes every node's desired state from the served rule and logs what differs";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(1);
    }

    @Override
    public long run(JobContext context) {
        List<UUID> nodes = jdbc.sql("SELECT node_id FROM node_revisions ORDER BY node_id").query(UUID.class).list();
        long changed = 0;
        for (UUID node : nodes) {
            long before = desired.revision(node).map(DesiredState.Revision::desired).orElse(0L);
            context.write(() -> {
                desired.syncNodes(List.of(node), false);
                return null;
            });
            if (desired.revision(node).map(DesiredState.Revision::desired).orElse(0L) != before) {
                changed++;
            }
        }
        return changed;
    }
}

package dev.gatehouse.scheduler.node;

import dev.gatehouse.domain.node.NodeAssigner;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Re-homes live subscriptions left without a node (no room when they were assigned, their node
 * deleted) and restores each subscription's redundancy, by the same assignment rule as control-api
 * (the domain's NodeAssigner); their nodes are synced in the same transaction.
 */
@Component
class ReconcileTask implements ScheduledTask {

    private static final int BATCH = 200;

    private final NodeAssigner assigner;

    ReconcileTask(NodeAssigner assigner) {
        this.assigner = assigner;
    }

    @Override
    public String name() {
        return "reconcile";
    }

    @Override
    public String description() {
        return "Assigns nodes to live subscriptions that have none or fewer than their redundancy asks, where a node"
                + " has room";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofMinutes(5);
    }

    @Override
    public long run(JobContext context) {
        long added = 0;
        UUID after = null;
        while (true) {
            List<UUID> short_ = assigner.shortOfNodes(after, BATCH);
            if (short_.isEmpty()) {
                return added;
            }
            after = short_.get(short_.size() - 1);
            added += context.write(() -> assigner.topUp(short_)).assignmentsAdded();
            if (short_.size() < BATCH) {
                return added;
            }
        }
    }
}

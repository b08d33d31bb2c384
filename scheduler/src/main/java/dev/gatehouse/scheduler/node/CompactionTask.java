package dev.gatehouse.scheduler.node;

import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Compacts the nodes' change logs: an agent away longer than the kept window reconnects to a snapshot. */
@Component
class CompactionTask implements ScheduledTask {

    private final DesiredState desired;
    private final Duration kept;

    CompactionTask(DesiredState desired, SchedulerProperties properties) {
        this.desired = desired;
        this.kept = properties.changeLogKept();
    }

    @Override
    public String name() {
        return "change-log-compaction";
    }

    @Override
    public String description() {
        return "Drops node change-log entries older than the kept window (older agents get a snapshot)";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(1);
    }

    @Override
    public long run(JobContext context) {
        return context.write(() -> desired.compactOlderThan(context.now().minus(kept)));
    }
}

package dev.gatehouse.scheduler.job;

import java.util.List;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The one Quartz job class: runs the {@link ScheduledTask} named in its job data. Not concurrent,
 * so the clustered store fires a job on one instance at a time.
 */
@DisallowConcurrentExecution
public class TaskJob implements Job {

    static final String TASK = "task";

    private final List<ScheduledTask> tasks;
    private final JobRunner runner;

    public TaskJob(List<ScheduledTask> tasks, JobRunner runner) {
        this.tasks = tasks;
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) {
        String name = context.getMergedJobDataMap().getString(TASK);
        tasks.stream().filter(t -> t.name().equals(name)).findFirst().ifPresent(runner::run);
    }
}

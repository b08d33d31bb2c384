package dev.gatehouse.scheduler.job;

import dev.gatehouse.scheduler.SchedulerProperties;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Puts every job into Quartz's shared store at startup (a trigger is replaced only when its interval
 * changed, so a restart does not reset the schedule) and records each job's description and schedule
 * in scheduler_jobs for control-api's /jobs. Missed runs are not replayed: the next run catches up.
 */
@Component
public class JobSchedule {

    private static final Logger log = LoggerFactory.getLogger(JobSchedule.class);
    private static final String GROUP = "gatehouse";

    private final Scheduler scheduler;
    private final List<ScheduledTask> tasks;
    private final SchedulerProperties properties;
    private final JdbcClient jdbc;

    public JobSchedule(Scheduler scheduler, List<ScheduledTask> tasks, SchedulerProperties properties,
                       JdbcClient jdbc) {
        this.scheduler = scheduler;
        this.tasks = tasks;
        this.properties = properties;
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void schedule() throws SchedulerException {
        for (ScheduledTask task : tasks) {
            Duration interval = properties.interval(task.name(), task.defaultInterval());
            boolean off = properties.disabled().contains(task.name());
            jdbc.sql("""
                            INSERT INTO scheduler_jobs (job, description, schedule, updated_at) VALUES (?, ?, ?, now())
                            ON CONFLICT (job) DO UPDATE SET description = EXCLUDED.description,
                                                           schedule = EXCLUDED.schedule, updated_at = now()""")
                    .params(task.name(), task.description(), off ? "disabled" : "every " + describe(interval))
                    .update();
            JobKey jobKey = JobKey.jobKey(task.name(), GROUP);
            TriggerKey triggerKey = TriggerKey.triggerKey(task.name(), GROUP);
            if (off) {
                scheduler.deleteJob(jobKey);
                continue;
            }
            Trigger existing = scheduler.getTrigger(triggerKey);
            if (existing instanceof SimpleTrigger simple && simple.getRepeatInterval() == interval.toMillis()) {
                continue;
            }
            JobDetail job = JobBuilder.newJob(TaskJob.class).withIdentity(jobKey).usingJobData(TaskJob.TASK, task.name())
                    .withDescription(task.description()).storeDurably().requestRecovery().build();
            Trigger trigger = TriggerBuilder.newTrigger().withIdentity(triggerKey).forJob(jobKey)
                    .startAt(new Date(System.currentTimeMillis() + Math.min(interval.toMillis(), 5_000)))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(interval.toMillis())
                            .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
                    .build();
            scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
            log.info("job {} runs every {}", task.name(), describe(interval));
        }
    }

    static String describe(Duration d) {
        if (d.toSeconds() < 60 || d.toSeconds() % 60 != 0) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        if (d.toMinutes() < 60 || d.toMinutes() % 60 != 0) {
            return d.toMinutes() + "m";
        }
        return d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toHours() + "h";
    }
}

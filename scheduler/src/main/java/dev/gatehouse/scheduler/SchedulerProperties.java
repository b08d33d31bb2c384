package dev.gatehouse.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the scheduler's jobs (docs/scheduler.md lists each job and its default schedule).
 *
 * @param intervals      per job name, how often it runs instead of its default
 * @param disabled       job names not scheduled on this installation
 * @param partitions     how far ahead partitions are made and how long they are kept
 * @param nodeOfflineAfter a node whose last message is older than this is offline (its session died
 *                       without ending); also when its subscriptions' offline notice is sent
 * @param changeLogKept  how long node change-log entries are kept before compaction (an agent away
 *                       longer gets a snapshot)
 * @param historyKept    how long job runs, finished webhook deliveries and revoked or expired API
 *                       tokens are kept
 * @param notificationsKept how long notifications are kept: each is sent once per subject and
 *                       period while it is kept, so keep this longer than a period
 * @param usageCheckBatch subscriptions locked per transaction by the usage check
 * @param ca             the node CA's rotation
 * @param webhooks       delivery of notifications
 * @param gaugeInterval  how often the dashboard gauges (subscriptions by state, near their quota,
 *                       node load) are read from the database
 */
@ConfigurationProperties("gatehouse.scheduler")
public record SchedulerProperties(@DefaultValue Map<String, Duration> intervals,
                                  @DefaultValue List<String> disabled,
                                  @DefaultValue Partitions partitions,
                                  @DefaultValue("3m") Duration nodeOfflineAfter,
                                  @DefaultValue("24h") Duration changeLogKept,
                                  @DefaultValue("30d") Duration historyKept,
                                  @DefaultValue("400d") Duration notificationsKept,
                                  @DefaultValue("1000") int usageCheckBatch,
                                  @DefaultValue Ca ca,
                                  @DefaultValue Webhooks webhooks,
                                  @DefaultValue("30s") Duration gaugeInterval) {

    /**
     * @param daysAhead       daily traffic_events partitions kept ready beyond today
     * @param monthsAhead     monthly rollup partitions kept ready beyond this month
     * @param rollupRetention how long hourly rollups are kept (raw events: gatehouse.domain.traffic-retention)
     * @param lockTimeout     how long creating, attaching or dropping a partition may wait for its lock
     *                        (ingest queues behind a waiting DDL statement, so keep it short)
     */
    public record Partitions(@DefaultValue("7") int daysAhead, @DefaultValue("3") int monthsAhead,
                             @DefaultValue("400d") Duration rollupRetention,
                             @DefaultValue("500ms") Duration lockTimeout) {
    }

    /**
     * @param renewBefore stage a new CA when the issuing one expires within this
     * @param rotateAfter stage a new CA when the issuing one has issued for this long
     */
    public record Ca(@DefaultValue("60d") Duration renewBefore, @DefaultValue("365d") Duration rotateAfter) {
    }

    /**
     * @param timeout      how long one attempt may take, connecting included
     * @param maxAttempts  attempts before a delivery is given up as failed
     * @param firstBackoff wait after the first failed attempt; doubles each time
     * @param maxBackoff   longest wait between attempts
     * @param batch        deliveries claimed per run
     * @param allowPrivateAddresses deliver to URLs that resolve to loopback, private, link-local or
     *                     other internal addresses; off by default, since a tenant's webhook must not
     *                     reach the installation's own services
     */
    public record Webhooks(@DefaultValue("10s") Duration timeout, @DefaultValue("8") int maxAttempts,
                           @DefaultValue("30s") Duration firstBackoff, @DefaultValue("1h") Duration maxBackoff,
                           @DefaultValue("50") int batch, @DefaultValue("false") boolean allowPrivateAddresses) {
    }

    /** How often the job runs here. */
    public Duration interval(String job, Duration fallback) {
        return intervals.getOrDefault(job, fallback);
    }
}

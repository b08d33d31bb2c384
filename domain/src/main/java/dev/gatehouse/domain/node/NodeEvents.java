package dev.gatehouse.domain.node;

import dev.gatehouse.domain.support.AfterCommit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Publishes node events after commit, best effort: a publish runs on its own thread, so a slow or
 * unreachable Redis never delays or fails the write that caused it. A lost event only delays the
 * node, since the collector also checks revisions periodically. Failures and drops are counted.
 */
public class NodeEvents implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);
    private static final int QUEUE = 10_000;

    private final StringRedisTemplate redis;
    private final String channel;
    private final ThreadPoolExecutor publisher;
    private final Counter published;
    private final Counter failed;
    private final Counter dropped;

    public NodeEvents(StringRedisTemplate redis, String namespace, MeterRegistry meters) {
        this.redis = redis;
        this.channel = channel(namespace);
        this.publisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "node-events");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardPolicy() {
                    @Override
                    public void rejectedExecution(Runnable r, ThreadPoolExecutor e) {
                        dropped().increment();
                    }
                });
        this.published = counter(meters, "published");
        this.failed = counter(meters, "failed");
        this.dropped = counter(meters, "dropped");
    }

    /** The namespaced channel the events travel on. */
    public static String channel(String namespace) {
        return namespace + ":" + NodeEvent.CHANNEL;
    }

    /** Publishes the event once the current transaction commits (at once outside one). */
    public void publishAfterCommit(NodeEvent event) {
        AfterCommit.run(() -> publisher.execute(() -> send(event)));
    }

    private void send(NodeEvent event) {
        try {
            redis.convertAndSend(channel, event.format());
            published.increment();
        } catch (RuntimeException e) {
            failed.increment();
            log.warn("node event not published ({}); the collector's revision check will catch up: {}",
                    event.format(), e.getMessage());
        }
    }

    private Counter dropped() {
        return dropped;
    }

    private static Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("gatehouse_node_events").tag("outcome", outcome)
                .description("Node events sent to the collectors over Redis").register(meters);
    }

    /** Waits up to {@code timeoutMillis} until every queued event has been tried; for tests and shutdown. */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            if (publisher.getQueue().isEmpty() && publisher.getActiveCount() == 0) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void destroy() throws InterruptedException {
        publisher.shutdown();
        publisher.awaitTermination(2, TimeUnit.SECONDS);
    }
}

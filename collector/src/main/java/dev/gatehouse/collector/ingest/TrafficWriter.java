package dev.gatehouse.collector.ingest;

import dev.gatehouse.domain.traffic.TrafficIngest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Group commit for the node sessions: batches that arrive while a transaction is running wait and
 * go into the next one together (up to {@code maxSamples}), so many agents cost a few commits, not
 * one each. A few writers overlap one commit's wait with the next one's work. A session blocks
 * until its batch is committed; a failed transaction fails every batch in it, and nothing of it is
 * stored, so each agent resends.
 */
public class TrafficWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TrafficWriter.class);

    private record Pending(TrafficIngest.Batch batch, CompletableFuture<TrafficIngest.Result> done) {
    }

    private final TrafficIngest ingest;
    private final int writers;
    private final int maxSamples;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public TrafficWriter(TrafficIngest ingest, int writers, int maxSamples) {
        this.ingest = ingest;
        this.writers = writers;
        this.maxSamples = maxSamples;
    }

    /** Stores the batch with whatever else is waiting; returns once it is committed. */
    public TrafficIngest.Result write(UUID nodeId, List<TrafficIngest.Sample> samples) throws InterruptedException {
        Pending pending = new Pending(new TrafficIngest.Batch(nodeId, samples), new CompletableFuture<>());
        queue.add(pending);
        try {
            return pending.done().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void loop() {
        while (running || !queue.isEmpty()) {
            List<Pending> group = new ArrayList<>();
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int samples = first.batch().samples().size();
                for (Pending next = queue.peek(); next != null && samples + next.batch().samples().size() <= maxSamples;
                     next = queue.peek()) {
                    group.add(queue.poll());
                    samples += next.batch().samples().size();
                }
                List<TrafficIngest.Result> results = ingest.ingestAll(group.stream().map(Pending::batch).toList());
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).done().complete(results.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                group.forEach(p -> p.done().completeExceptionally(e));
                return;
            } catch (RuntimeException e) {
                log.warn("a group of {} traffic batches failed; their sessions end and the agents resend",
                        group.size(), e);
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        for (int i = 0; i < writers; i++) {
            Thread thread = new Thread(this::loop, "traffic-writer-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the sessions' endpoint (which stops first) and starts before it. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}

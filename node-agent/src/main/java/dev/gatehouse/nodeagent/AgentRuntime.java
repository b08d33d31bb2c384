package dev.gatehouse.nodeagent;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.session.CollectorSession;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The agent at work: one engine thread does everything that touches the cores (applying state,
 * reading counters, the periodic check), so the cores see one change at a time; the session runs
 * on its own thread and hands changes to the engine thread.
 */
public final class AgentRuntime implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private final AgentOptions options;
    private final ScheduledExecutorService engineThread;
    private final Reconciler reconciler;
    private final Sampler sampler;
    private final SampleLog buffer;
    private final CollectorSession session;
    private volatile boolean running;

    public AgentRuntime(AgentOptions options, ScheduledExecutorService engineThread, Reconciler reconciler,
                        Sampler sampler, SampleLog buffer, CollectorSession session) {
        this.options = options;
        this.engineThread = engineThread;
        this.reconciler = reconciler;
        this.sampler = sampler;
        this.buffer = buffer;
        this.session = session;
    }

    @Override
    public void start() {
        long poll = options.pollInterval().toMillis();
        long check = options.checkInterval().toMillis();
        engineThread.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
        engineThread.scheduleWithFixedDelay(this::check, check, check, TimeUnit.MILLISECONDS);
        session.start();
        running = true;
        log.info("agent running: state {}, counters every {}, engines {}", options.state(), options.pollInterval(),
                reconciler.engines().stream().map(e -> e.engine() + " (" + e.info().flavour() + " "
                        + e.info().version() + ")").toList());
    }

    private void poll() {
        try {
            if (reconciler.revision() > 0) {
                reconciler.poll();
            }
            session.flush();
        } catch (RuntimeException e) {
            log.warn("counter round failed: {}", e.getMessage());
        }
    }

    private void check() {
        try {
            if (reconciler.revision() > 0) {
                reconciler.check();
            }
        } catch (RuntimeException e) {
            log.warn("periodic check failed: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        session.stop();
        engineThread.shutdown();
        try {
            if (!engineThread.awaitTermination(10, TimeUnit.SECONDS)) {
                engineThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The last bytes since the previous round are buffered before the cores go (a core that
        // restarted since is noticed first).
        if (reconciler.revision() > 0) {
            reconciler.poll();
        }
        for (EngineDriver engine : reconciler.engines()) {
            engine.close();
        }
        try {
            buffer.close();
        } catch (IOException e) {
            log.warn("cannot close the buffer: {}", e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}

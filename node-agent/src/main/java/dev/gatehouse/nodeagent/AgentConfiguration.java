package dev.gatehouse.nodeagent;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.session.CollectorSession;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The agent's parts, made only by {@code run} (which supplies {@link AgentOptions}). */
@Configuration
@ConditionalOnProperty(AgentConfiguration.ENABLED)
class AgentConfiguration {

    static final String ENABLED = "gatehouse.agent.enabled";

    @Bean
    Clock agentClock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "")
    ScheduledExecutorService engineThread() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "engines");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean(destroyMethod = "")
    SampleLog sampleLog(AgentOptions options, Clock clock, MeterRegistry meters) throws IOException {
        return new SampleLog(options.state().resolve("buffer"), options.bufferMaxBytes(), options.bufferMaxAge(),
                clock, meters);
    }

    @Bean
    Sampler sampler(AgentOptions options, SampleLog buffer, Clock clock, MeterRegistry meters) throws IOException {
        return new Sampler(options.state(), buffer, clock, meters);
    }

    @Bean
    Reconciler reconciler(AgentOptions options, Sampler sampler, MeterRegistry meters) {
        return new Reconciler(Engines.of(options), sampler, meters);
    }

    @Bean
    CollectorSession collectorSession(AgentOptions options, Reconciler reconciler, Sampler sampler,
                                      SampleLog buffer, ScheduledExecutorService engineThread, Clock clock,
                                      MeterRegistry meters) {
        String version = NodeAgentApplication.class.getPackage().getImplementationVersion();
        return new CollectorSession(options.state(), reconciler, sampler, buffer, engineThread, clock,
                version == null ? "dev" : version, meters);
    }

    @Bean
    AgentRuntime agentRuntime(AgentOptions options, ScheduledExecutorService engineThread, Reconciler reconciler,
                              Sampler sampler, SampleLog buffer, CollectorSession session) {
        return new AgentRuntime(options, engineThread, reconciler, sampler, buffer, session);
    }

    @Bean
    AgentEndpoint agentEndpoint(CollectorSession session, Reconciler reconciler, SampleLog buffer) {
        return new AgentEndpoint(session, reconciler, buffer);
    }

    /** The engine drivers the settings ask for. */
    static final class Engines {
        private Engines() {
        }

        static List<EngineDriver> of(AgentOptions options) {
            return List.of();
        }
    }
}

package dev.gatehouse.nodeagent;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.session.CollectorSession;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import io.micrometer.core.instrument.MeterRegistry;
import dev.gatehouse.nodeagent.engine.wireguard.WireGuardDriver;
import dev.gatehouse.nodeagent.engine.xray.CoreFlavour;
import dev.gatehouse.nodeagent.engine.xray.CoreSettings;
import dev.gatehouse.nodeagent.engine.xray.XrayDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
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
            List<EngineDriver> engines = new java.util.ArrayList<>();
            switch (options.xrayMode()) {
                case "managed" -> {
                    Path binary = coreBinary(options.xrayBinary());
                    CoreSettings settings = CoreSettings.of(flavourOf(binary), options.state().resolve("xray"))
                            .withBinary(binary).withListen(options.xrayListen());
                    if (!options.xrayTlsCertificate().isBlank()) {
                        settings = settings.withTls(Path.of(options.xrayTlsCertificate()),
                                Path.of(options.xrayTlsKey()));
                    }
                    engines.add(new XrayDriver(settings));
                }
                case "external" -> {
                    int colon = options.xrayApi().lastIndexOf(':');
                    engines.add(new XrayDriver(options.xrayBinary().contains("xray") ? CoreFlavour.XRAY
                            : CoreFlavour.V2FLY, options.xrayApi().substring(0, colon),
                            Integer.parseInt(options.xrayApi().substring(colon + 1))));
                }
                default -> {
                    // off: this node serves no Xray inbound
                }
            }
            if (options.wireguard()) {
                try {
                    engines.add(new WireGuardDriver(options.state().resolve("wireguard")));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot prepare WireGuard under " + options.state() + ": "
                            + e.getMessage(), e);
                }
            }
            return engines;
        }

        /** The configured core binary, else xray, else v2ray, from PATH. */
        static Path coreBinary(String configured) {
            if (!configured.isBlank()) {
                Optional<Path> named = configured.contains("/")
                        ? Optional.of(Path.of(configured)).filter(java.nio.file.Files::isExecutable)
                        : onPath(configured);
                return named.orElseThrow(() -> new IllegalStateException("--xray-binary " + configured
                        + " is not an executable file"));
            }
            for (String name : List.of("xray", "v2ray")) {
                Optional<Path> found = onPath(name);
                if (found.isPresent()) {
                    return found.get();
                }
            }
            throw new IllegalStateException("no xray or v2ray on PATH: install one, set --xray-binary, or run with"
                    + " --xray-mode off");
        }

        static CoreFlavour flavourOf(Path binary) {
            return binary.getFileName().toString().toLowerCase(java.util.Locale.ROOT).contains("xray")
                    ? CoreFlavour.XRAY : CoreFlavour.V2FLY;
        }

        static Optional<Path> onPath(String name) {
            return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                    .map(dir -> Path.of(dir, name)).filter(java.nio.file.Files::isExecutable).findFirst();
        }
    }
}

package dev.gatehouse.nodeagent.cli;

import dev.gatehouse.nodeagent.AgentOptions;
import dev.gatehouse.nodeagent.NodeAgentApplication;
import dev.gatehouse.nodeagent.enroll.Enroller;
import dev.gatehouse.nodeagent.state.NodeIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's command line: {@code enroll}, {@code run}, {@code status}. Every option can also be
 * set in the environment or the settings file ({@link Settings}); errors are one readable line and
 * a non-zero exit.
 */
@Command(name = "gatehouse-node-agent", mixinStandardHelpOptions = true, versionProvider = AgentCommand.Version.class,
        description = "The Gatehouse agent on an edge server.",
        subcommands = {AgentCommand.Enroll.class, AgentCommand.Run.class, AgentCommand.Status.class})
public final class AgentCommand implements Callable<Integer> {

    static final String DEFAULT_STATE = "/var/lib/gatehouse-agent";

    /** The version the jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = AgentCommand.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse-node-agent " + (version == null ? "(development build)" : version)};
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** Runs the command line with flags, then environment, then the settings file. */
    public static int execute(String[] args, Map<String, String> environment) {
        CommandLine line = new CommandLine(new AgentCommand());
        try {
            line.setDefaultValueProvider(new Settings(environment, Settings.configFile(args, environment)));
        } catch (CommandLine.InitializationException e) {
            line.getErr().println("error: " + e.getMessage());
            return 2;
        }
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        });
        line.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().getErr().println("see: gatehouse-node-agent " + e.getCommandLine().getCommandName()
                    + " --help");
            return 2;
        });
        return line.execute(args);
    }

    /** Options every command shares. */
    static class Common {
        @Option(names = "--state", defaultValue = DEFAULT_STATE, paramLabel = "DIR",
                description = "state folder (identity, buffer, checkpoints); env GATEHOUSE_AGENT_STATE")
        Path state;

        @Option(names = "--config", paramLabel = "FILE",
                description = "a YAML file of settings named like the options; env GATEHOUSE_AGENT_CONFIG")
        Path config;
    }

    /** Where the agent serves health, metrics and status: what {@code run} binds and {@code status} asks. */
    static class Http {
        @Option(names = "--http-address", defaultValue = "127.0.0.1", description = "health and metrics address")
        String address;

        @Option(names = "--http-port", defaultValue = "8084", description = "health and metrics port")
        int port;
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true,
            description = "Make this node's key, get its certificate from control-api, store both.")
    static final class Enroll implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--api", required = true, paramLabel = "URL", description = "control-api's base URL")
        URI api;

        @Option(names = "--token", required = true, paramLabel = "ghe_...",
                description = "the node's one-time enrollment token")
        String token;

        @Option(names = "--ca-sha256", paramLabel = "HEX",
                description = "pin the CA: its SHA-256 fingerprint, as POST /nodes returned it")
        String caSha256;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Enroller.EnrollmentException {
            Enroller.Enrolled enrolled = new Enroller().enroll(api, token, caSha256, common.state);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("enrolled as node %s%ncollector %s%ncertificate valid until %s%nstate %s%n",
                    enrolled.nodeId(), enrolled.collectorAddress(), enrolled.expiresAt(), common.state);
            out.flush();
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Hold the session with the collector, drive the cores, count traffic.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Mixin
        Http http = new Http();

        @Option(names = "--poll-interval", defaultValue = "10s", description = "how often counters are read")
        String pollInterval;

        @Option(names = "--check-interval", defaultValue = "60s",
                description = "how often served users are compared with the desired state")
        String checkInterval;

        @Option(names = "--xray-mode", defaultValue = "managed", description = "managed, external or off")
        String xrayMode;

        @Option(names = "--xray-binary", defaultValue = "",
                description = "the core binary (managed mode); default: xray, then v2ray, on PATH")
        String xrayBinary;

        @Option(names = "--xray-api", defaultValue = "127.0.0.1:10085",
                description = "host:port of the core's API (external mode)")
        String xrayApi;

        @Option(names = "--xray-listen", defaultValue = "0.0.0.0",
                description = "the address the core's inbounds listen on (managed mode)")
        String xrayListen;

        @Option(names = "--xray-tls-certificate", defaultValue = "", paramLabel = "FILE",
                description = "PEM certificate for inbounds with security tls (managed mode)")
        String xrayTlsCertificate;

        @Option(names = "--xray-tls-key", defaultValue = "", paramLabel = "FILE", description = "its PEM key")
        String xrayTlsKey;

        @Option(names = "--wireguard", defaultValue = "true", arity = "1", description = "serve WireGuard: true or false")
        boolean wireguard;

        @Option(names = "--buffer-max-size", defaultValue = "2GB", description = "unacknowledged traffic kept on disk")
        String bufferMaxSize;

        @Option(names = "--buffer-max-age", defaultValue = "7d", description = "oldest unacknowledged traffic kept")
        String bufferMaxAge;

        @Override
        public Integer call() throws IOException {
            if (!NodeIdentity.present(common.state)) {
                throw new IOException("this node is not enrolled: no identity under " + common.state
                        + " (run: enroll --api URL --token ghe_...)");
            }
            if (!java.util.Set.of("managed", "external", "off").contains(xrayMode)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--xray-mode must be managed,"
                        + " external or off, not " + xrayMode);
            }
            preflight();
            AgentOptions options = new AgentOptions(common.state, http.address, http.port, duration(pollInterval),
                    duration(checkInterval), xrayMode, xrayBinary, xrayApi, xrayListen, xrayTlsCertificate, xrayTlsKey,
                    wireguard,
                    DataSize.parse(bufferMaxSize).toBytes(), duration(bufferMaxAge));
            NodeAgentApplication.runAgent(options);
            return 0;
        }

        /** What would otherwise fail deep inside the start as a page of trace: one line each. */
        private void preflight() throws IOException {
            if (xrayMode.equals("managed")) {
                NodeAgentApplication.coreBinary(xrayBinary);
            }
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress(http.address, http.port));
            } catch (IOException e) {
                throw new IOException("cannot serve health and metrics on " + http.address + ":" + http.port
                        + " (in use? set --http-port)");
            }
        }

        private static Duration duration(String text) {
            try {
                return DurationStyle.detectAndParse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a duration: " + text + " (e.g. 10s, 5m, 7d)");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print the session, revision, cores and buffered samples of the running agent.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Mixin
        Http http = new Http();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (NodeIdentity.present(common.state)) {
                NodeIdentity identity = NodeIdentity.load(common.state);
                out.printf("node           %s%ncollector      %s%ncertificate    valid until %s%n",
                        identity.nodeId(), identity.collectorAddress(), identity.expiresAt());
            } else {
                out.printf("node           not enrolled (%s)%n", common.state);
            }
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://" + http.address + ":" + http.port + "/actuator/agent"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode agent = JsonMapper.builder().build().readTree(response.body());
                out.printf("session        %s%s%n", agent.path("session").asString(),
                        agent.path("last_error").asString().isEmpty() ? "" : " (" + agent.path("last_error").asString() + ")");
                out.printf("revision       %d applied, %d users desired, %d failing%n",
                        agent.path("applied_revision").asLong(), agent.path("desired_users").asLong(),
                        agent.path("failures").asLong());
                for (JsonNode core : agent.path("cores")) {
                    out.printf("core           %s %s %s%n", core.path("engine").asString(),
                            core.path("flavour").asString(), core.path("version").asString());
                }
                out.printf("buffered       %d samples, %d bytes on disk%n", agent.path("buffered_samples").asLong(),
                        agent.path("buffered_bytes").asLong());
                out.flush();
                return 0;
            } catch (IOException e) {
                out.printf("agent          not running (nothing answers on %s:%d)%n", http.address, http.port);
                out.printf("buffered       %d bytes on disk%n", bufferedBytes(common.state.resolve("buffer")));
                out.flush();
                return 3;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }

        private static long bufferedBytes(Path folder) throws IOException {
            if (!Files.isDirectory(folder)) {
                return 0;
            }
            try (Stream<Path> files = Files.list(folder)) {
                return files.mapToLong(p -> p.toFile().length()).sum();
            }
        }
    }
}

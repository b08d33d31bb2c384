package dev.gatehouse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The files in deploy/ are accepted by the real programs that read them. */
class DeployFilesIT {

    private static final Path DEPLOY = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent().resolve("deploy");

    @Test
    void caddyAcceptsTheCaddyfile() throws Exception {
        Path caddy = RealPeers.require("caddy", "caddy");
        Result result = run(Map.of("GATEHOUSE_DOMAIN", "localhost", "HOME", tempHome()),
                caddy.toString(), "validate", "--config", DEPLOY.resolve("Caddyfile").toString(),
                "--adapter", "caddyfile");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Valid configuration");
    }

    @Test
    void promtoolAcceptsThePrometheusConfig() throws Exception {
        Path promtool = RealPeers.require("promtool", "prometheus");
        Result result = run(Map.of(), promtool.toString(), "check", "config",
                DEPLOY.resolve("prometheus.yml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void composeNamesEveryServiceAndEverySettingItUsesIsDocumented() throws IOException {
        String compose = Files.readString(DEPLOY.resolve("docker-compose.yml"));
        Map<String, Object> parsed = new Yaml().load(compose);
        @SuppressWarnings("unchecked")
        Map<String, Object> services = (Map<String, Object>) parsed.get("services");
        assertThat(services).containsKeys("postgres", "redis", "caddy", "control-api", "collector", "scheduler",
                "prometheus", "grafana");

        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(compose);
        while (m.find()) {
            used.add(m.group(1));
        }
        String envExample = Files.readString(DEPLOY.resolve(".env.example"));
        for (String name : used) {
            assertThat(envExample).as("deploy/.env.example documents %s", name).containsPattern("(?m)^#? ?" + name + "=");
        }
    }

    /** The control-plane apps compose runs, by service name (also their module folder). */
    private static final List<String> APPS = List.of("control-api", "collector", "scheduler");
    /** Settings whose compose default names compose's own services, not the app's default. */
    private static final Set<String> COMPOSE_OWN = Set.of("GATEHOUSE_DB_URL", "GATEHOUSE_DB_PASSWORD",
            "GATEHOUSE_REDIS_URL", "GATEHOUSE_LOG_FORMAT", "GATEHOUSE_COLLECTOR_ADDRESS");

    private record Setting(String name, String section) {
        boolean composeApplies() {
            return !section.contains("not used by docker compose");
        }
    }

    /** The settings deploy/.env.example documents (set or commented out), each with its section. */
    private static List<Setting> documented() throws IOException {
        List<Setting> settings = new java.util.ArrayList<>();
        String section = "";
        for (String line : Files.readAllLines(DEPLOY.resolve(".env.example"))) {
            Matcher heading = Pattern.compile("^# --- (.+) ---$").matcher(line);
            Matcher setting = Pattern.compile("^#? ?([A-Z][A-Z0-9_]+)=").matcher(line);
            if (heading.matches()) {
                section = heading.group(1);
            } else if (setting.find()) {
                settings.add(new Setting(setting.group(1), section));
            }
        }
        return settings;
    }

    /** {@code ${NAME:default}} of one app's application.yml, plus what the shared platform module reads. */
    private static Map<String, String> readBy(String app) throws IOException {
        Map<String, String> defaults = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("\\$\\{(GATEHOUSE_[A-Z0-9_]+):([^}]*)}")
                .matcher(Files.readString(DEPLOY.resolveSibling(app).resolve("src/main/resources/application.yml")));
        while (m.find()) {
            defaults.put(m.group(1), m.group(2));
        }
        try (var sources = Files.walk(DEPLOY.resolveSibling("platform/src/main"))) {
            for (Path source : sources.filter(Files::isRegularFile).toList()) {
                Matcher platform = Pattern.compile("\"(GATEHOUSE_[A-Z0-9_]+)\"").matcher(Files.readString(source));
                while (platform.find()) {
                    defaults.putIfAbsent(platform.group(1), null);
                }
            }
        }
        return defaults;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> composeEnvironment(String service) throws IOException {
        Map<String, Object> services = (Map<String, Object>) new Yaml()
                .<Map<String, Object>>load(Files.readString(DEPLOY.resolve("docker-compose.yml"))).get("services");
        Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(service))
                .getOrDefault("environment", Map.of());
        Map<String, String> text = new java.util.TreeMap<>();
        environment.forEach((k, v) -> text.put(k, String.valueOf(v)));
        return text;
    }

    @Test
    void underComposeEveryDocumentedSettingReachesEveryServiceThatReadsIt() throws IOException {
        String compose = Files.readString(DEPLOY.resolve("docker-compose.yml"));
        String caddyfile = Files.readString(DEPLOY.resolve("Caddyfile"));
        for (Setting setting : documented()) {
            if (!setting.composeApplies()) {
                continue;
            }
            List<String> readers = new java.util.ArrayList<>();
            for (String app : APPS) {
                if (readBy(app).containsKey(setting.name())) {
                    readers.add(app);
                }
            }
            if (caddyfile.contains("{$" + setting.name())) {
                readers.add("caddy");
            }
            if (readers.isEmpty()) {
                assertThat(compose).as("%s is used by docker compose itself", setting.name())
                        .contains("${" + setting.name());
            }
            for (String service : readers) {
                assertThat(composeEnvironment(service)).as("compose passes %s to %s", setting.name(), service)
                        .hasEntrySatisfying(setting.name(), v -> assertThat(v).contains("${" + setting.name()));
            }
        }
    }

    @Test
    void everyDocumentedSettingIsReadByAnAppTheLauncherOrCaddy() throws IOException {
        StringBuilder readers = new StringBuilder(Files.readString(DEPLOY.resolve("Caddyfile")));
        for (String module : List.of("control-api", "collector", "scheduler", "node-agent", "platform", "launcher")) {
            try (var sources = Files.walk(DEPLOY.resolveSibling(module).resolve("src/main"))) {
                for (Path source : sources.filter(Files::isRegularFile).toList()) {
                    readers.append(Files.readString(source));
                }
            }
        }
        String compose = Files.readString(DEPLOY.resolve("docker-compose.yml"));
        for (Setting setting : documented()) {
            boolean composeItself = setting.section().startsWith("docker compose");
            assertThat(composeItself ? compose : readers.toString()).as("something reads %s", setting.name())
                    .contains(setting.name());
        }
    }

    @Test
    void composeGivesAnAppOnlySettingsItReadsWithTheAppsOwnDefaults() throws IOException {
        for (String app : APPS) {
            Map<String, String> read = readBy(app);
            for (Map.Entry<String, String> entry : composeEnvironment(app).entrySet()) {
                assertThat(read).as("%s reads %s, which compose gives it", app, entry.getKey())
                        .containsKey(entry.getKey());
                Matcher fallback = Pattern.compile("^\\$\\{" + entry.getKey() + ":-(.*)}$").matcher(entry.getValue());
                if (fallback.matches() && !COMPOSE_OWN.contains(entry.getKey()) && read.get(entry.getKey()) != null) {
                    assertThat(fallback.group(1)).as("compose's default of %s for %s", entry.getKey(), app)
                            .isEqualTo(read.get(entry.getKey()));
                }
            }
        }
        Matcher caddyDefaults = Pattern.compile("\\{\\$(GATEHOUSE_[A-Z0-9_]+):([^}]*)}")
                .matcher(Files.readString(DEPLOY.resolve("Caddyfile")));
        Map<String, String> caddy = composeEnvironment("caddy");
        while (caddyDefaults.find()) {
            if (String.valueOf(caddy.get(caddyDefaults.group(1))).contains(":?")) {
                continue; // required under compose: no default to agree on
            }
            assertThat(caddy.get(caddyDefaults.group(1))).as("compose's default of %s", caddyDefaults.group(1))
                    .isEqualTo("${" + caddyDefaults.group(1) + ":-" + caddyDefaults.group(2) + "}");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeHandsTheDataKeyToEveryAppAsASecretFileTheAppReads() throws IOException {
        Map<String, Object> parsed = new Yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        assertThat((Map<String, Object>) parsed.get("secrets")).containsKey("data-key");
        Map<String, Object> services = (Map<String, Object>) parsed.get("services");
        for (String app : APPS) {
            assertThat((List<Map<String, Object>>) ((Map<String, Object>) services.get(app)).get("secrets"))
                    .as("%s gets the data key as a file named by its setting", app)
                    .contains(Map.of("source", "data-key", "target", "gatehouse.domain.data-key"));
            assertThat(composeEnvironment(app)).doesNotContainKey("GATEHOUSE_DATA_KEY");
            String settings = Files.readString(DEPLOY.resolveSibling(app).resolve("src/main/resources/application.yml"));
            assertThat(settings).as("%s imports the secrets folder as a config tree", app)
                    .contains("optional:configtree:${GATEHOUSE_SECRETS_DIR:/run/secrets/}");
        }
    }

    /**
     * The agent's unit runs {@code run} on the default state folder, every option of the command line
     * is documented, and agent.yml.example holds each {@code run} setting with the code's default.
     * systemd-analyze is not a peer the project needs, so without it only the static checks run.
     */
    @Test
    void theAgentsUnitSettingsFileAndDocCoverEveryOption() throws Exception {
        String unit = Files.readString(DEPLOY.resolve("gatehouse-agent.service"));
        String source = Files.readString(DEPLOY.resolveSibling(
                "node-agent/src/main/java/dev/gatehouse/nodeagent/cli/AgentCommand.java"));
        assertThat(unit).containsPattern("(?m)^ExecStart=\\S*java .*/gatehouse-node-agent\\.jar run$");
        Matcher defaultState = Pattern.compile("DEFAULT_STATE = \"([^\"]+)\"").matcher(source);
        assertThat(defaultState.find()).isTrue();
        assertThat(unit).as("the unit's StateDirectory is the agent's default --state")
                .containsPattern("(?m)^StateDirectory=" + Pattern.quote(
                        defaultState.group(1).substring("/var/lib/".length())) + "$");

        // Each @Option: its name, its default (a literal or DEFAULT_STATE), and the command it belongs to
        // (options before the first subcommand are the Common mixin that every command has).
        Map<String, String> runDefaults = new java.util.TreeMap<>();
        Set<String> all = new TreeSet<>();
        Matcher commands = Pattern.compile("@Command\\(name = \"([\\w-]+)\"").matcher(source);
        java.util.TreeMap<Integer, String> commandAt = new java.util.TreeMap<>();
        while (commands.find()) {
            commandAt.put(commands.start(), commands.group(1));
        }
        Matcher option = Pattern.compile("@Option\\(names = \"--([\\w-]+)\"(.*?)\\)\\s*\\n\\s*[\\w.<>]+ \\w+;",
                Pattern.DOTALL).matcher(source);
        while (option.find()) {
            String owner = commandAt.floorEntry(option.start()).getValue();
            all.add(option.group(1));
            if (owner.equals("run") || owner.equals("gatehouse-node-agent")) {
                Matcher value = Pattern.compile("defaultValue = (?:\"([^\"]*)\"|(DEFAULT_STATE))")
                        .matcher(option.group(2));
                runDefaults.put(option.group(1), !value.find() ? null
                        : value.group(2) != null ? defaultState.group(1) : value.group(1));
            }
        }
        assertThat(all).as("options parsed from AgentCommand.java").contains("api", "token", "ca-sha256", "state",
                "config", "poll-interval", "buffer-max-size", "wireguard");

        String doc = Files.readString(DEPLOY.resolveSibling("docs/node-agent.md"));
        for (String name : all) {
            assertThat(doc).as("docs/node-agent.md documents --%s", name)
                    .containsPattern("--" + Pattern.quote(name) + "(?![\\w-])");
        }

        // The file named by --config holds the other settings, never --config itself.
        runDefaults.remove("config");
        Map<String, Object> example = new Yaml().load(Files.readString(DEPLOY.resolve("agent.yml.example")));
        assertThat(example.keySet()).as("agent.yml.example has a key for every run option and no other")
                .containsExactlyInAnyOrderElementsOf(runDefaults.keySet());
        runDefaults.forEach((name, fallback) -> assertThat(String.valueOf(example.get(name)))
                .as("agent.yml.example's %s is the code's default", name).isEqualTo(fallback));

        Optional<Path> analyze = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .map(dir -> Path.of(dir, "systemd-analyze")).filter(Files::isExecutable).findFirst();
        if (analyze.isEmpty()) {
            return;
        }
        // verify also checks that ExecStart's program exists: where java lives elsewhere, this JVM's
        // stands in.
        Path folder = Files.createTempDirectory("unit");
        folder.toFile().deleteOnExit();
        Path checked = folder.resolve("gatehouse-agent.service");
        checked.toFile().deleteOnExit();
        String java = ProcessHandle.current().info().command().orElse("/usr/bin/java");
        Files.writeString(checked, Files.isExecutable(Path.of("/usr/bin/java")) ? unit
                : unit.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " "));
        Result verify = run(Map.of(), analyze.get().toString(), "verify", checked.toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        // verify exits 0 even for unknown keys and unparsable values; it only warns about them.
        assertThat(verify.output().lines().filter(line -> line.contains("gatehouse-agent.service")))
                .as(verify.output()).isEmpty();
    }

    @Test
    void theGrafanaDashboardIsValidJsonWithPanels() throws IOException {
        Object dashboard = new Yaml().load(Files.readString(
                DEPLOY.resolve("grafana/dashboards/gatehouse-overview.json")));
        assertThat(dashboard).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("uid", "gatehouse-overview")
                .containsKey("panels");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static String tempHome() throws IOException {
        return Files.createTempDirectory("caddy-home").toString();
    }
}

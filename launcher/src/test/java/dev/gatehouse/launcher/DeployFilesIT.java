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
                "prometheus", "grafana", "loki", "promtail");

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
    private static final Set<String> COMPOSE_OWN = Set.of("GATEHOUSE_DB_URL", "GATEHOUSE_REDIS_URL",
            "GATEHOUSE_LOG_FORMAT", "GATEHOUSE_COLLECTOR_ADDRESS");

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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    /** A service's secrets as (source, target in /run/secrets), from the short or the long syntax. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> secretsOf(Map<String, Object> service) {
        Map<String, String> secrets = new java.util.TreeMap<>();
        for (Object secret : (List<Object>) service.getOrDefault("secrets", List.of())) {
            if (secret instanceof String name) {
                secrets.put(name, name);
            } else {
                Map<String, Object> spec = (Map<String, Object>) secret;
                String source = (String) spec.get("source");
                secrets.put(source, (String) spec.getOrDefault("target", source));
            }
        }
        return secrets;
    }

    /** The "source:target" entries of a service's volumes. */
    @SuppressWarnings("unchecked")
    private static List<String[]> mountsOf(Map<String, Object> service) {
        return ((List<String>) service.getOrDefault("volumes", List.of())).stream().map(v -> v.split(":")).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceHasAHealthCheckAndWaitsOnlyForServicesThatHaveOne() throws IOException {
        Map<String, Map<String, Object>> services = services();
        services.forEach((name, service) -> {
            Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
            assertThat(health).as("%s has a health check", name).isNotNull();
            assertThat((List<String>) health.get("test")).as("%s's health check runs something", name)
                    .hasSizeGreaterThan(1).doesNotContain("NONE");
            Object dependsOn = service.getOrDefault("depends_on", Map.of());
            Map<String, Object> waits = dependsOn instanceof List<?> list
                    ? list.stream().collect(java.util.stream.Collectors.toMap(String::valueOf, d -> Map.of()))
                    : (Map<String, Object>) dependsOn;
            waits.forEach((other, how) -> {
                assertThat(services).as("%s depends on %s, a service of this file", name, other).containsKey(other);
                assertThat(((Map<String, Object>) how).get("condition")).as("%s waits for %s to be healthy", name, other)
                        .isEqualTo("service_healthy");
            });
        });
        // The apps' checks ask the port each app listens on inside its container (its own default).
        for (String app : APPS) {
            String port = readBy(app).get("GATEHOUSE_HTTP_PORT");
            assertThat(String.join(" ", (List<String>) ((Map<String, Object>) services.get(app).get("healthcheck"))
                    .get("test"))).as("%s's health check", app).contains("/dev/tcp/127.0.0.1/" + port + " ")
                    .contains("/actuator/health");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyVolumeSecretAndMountedFileExistsAndEveryDeclaredOneIsUsed() throws IOException {
        Map<String, Object> compose = compose();
        Set<String> volumes = ((Map<String, Object>) compose.get("volumes")).keySet();
        Set<String> secrets = ((Map<String, Object>) compose.get("secrets")).keySet();
        Set<String> usedVolumes = new TreeSet<>();
        Set<String> usedSecrets = new TreeSet<>();
        for (var service : services().entrySet()) {
            for (String[] mount : mountsOf(service.getValue())) {
                String source = mount[0];
                if (source.startsWith("./")) {
                    assertThat(DEPLOY.resolve(source)).as("%s mounts %s", service.getKey(), source).exists();
                } else if (!source.startsWith("/")) {
                    assertThat(volumes).as("%s's volume %s is declared", service.getKey(), source).contains(source);
                    usedVolumes.add(source);
                }
            }
            Map<String, String> its = secretsOf(service.getValue());
            assertThat(secrets).as("%s's secrets are declared", service.getKey()).containsAll(its.keySet());
            usedSecrets.addAll(its.keySet());
            // A *_FILE setting (the official images' convention) names a secret the service gets.
            Map<String, Object> environment = (Map<String, Object>) service.getValue().getOrDefault("environment",
                    Map.of());
            environment.forEach((name, value) -> {
                if (name.endsWith("_FILE") && String.valueOf(value).startsWith("/run/secrets/")) {
                    assertThat(its.values()).as("%s of %s", name, service.getKey())
                            .contains(String.valueOf(value).substring("/run/secrets/".length()));
                }
            });
        }
        assertThat(usedVolumes).as("every declared volume is used").containsExactlyInAnyOrderElementsOf(volumes);
        assertThat(usedSecrets).as("every declared secret is used").containsExactlyInAnyOrderElementsOf(secrets);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everySecretIsAFileTheOperatorIsToldToMakeThatGitIgnores() throws IOException {
        String head = Files.readString(DEPLOY.resolve("docker-compose.yml"));
        String envExample = Files.readString(DEPLOY.resolve(".env.example"));
        String deployDoc = Files.readString(DEPLOY.resolveSibling("docs/deploy.md"));
        List<String> ignored = Files.readAllLines(DEPLOY.resolveSibling(".gitignore"));
        for (var secret : ((Map<String, Map<String, Object>>) compose().get("secrets")).entrySet()) {
            String file = (String) secret.getValue().get("file");
            assertThat(file).as("secret %s is a file beside compose", secret.getKey()).startsWith("./");
            String path = "deploy/" + file.substring(2);
            assertThat(head).as("compose's head says how to make %s", path).containsPattern("(?m)^#.*> " + Pattern.quote(path) + "$");
            assertThat(envExample).as(".env.example names %s", path).contains(path);
            assertThat(deployDoc).as("docs/deploy.md names %s", path).contains(path);
            assertThat(ignored).as(".gitignore keeps %s out of the repository", path)
                    .anyMatch(line -> line.equals(path) || line.endsWith("/") && path.startsWith(line));
        }
    }

    /** Each app's application.yml as flat property names (a.b.c). */
    private static Set<String> propertiesOf(String app) throws IOException {
        Set<String> names = new TreeSet<>();
        flatten("", new Yaml().load(Files.readString(DEPLOY.resolveSibling(app)
                .resolve("src/main/resources/application.yml"))), names);
        return names;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, Set<String> names) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, names));
        } else {
            names.add(prefix);
        }
    }

    @Test
    void everySecretAnAppGetsFillsASettingTheAppReads() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (String app : APPS) {
            Map<String, String> secrets = secretsOf(services.get(app));
            assertThat(secrets).as("%s gets the data key and the database password", app)
                    .containsEntry("data-key", "gatehouse.domain.data-key")
                    .containsEntry("db-password", "spring.datasource.password");
            assertThat(propertiesOf(app)).as("%s reads the settings its secret files are named after", app)
                    .containsAll(secrets.values());
            assertThat(composeEnvironment(app)).as("%s's password comes only from its secret file", app)
                    .doesNotContainKeys("GATEHOUSE_DB_PASSWORD", "SPRING_DATASOURCE_PASSWORD");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPublishedPortAndProfileIsDocumented() throws IOException {
        String deployDoc = Files.readString(DEPLOY.resolveSibling("docs/deploy.md"));
        Pattern variable = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}");
        Set<String> profiles = new TreeSet<>();
        for (var service : services().entrySet()) {
            for (Object published : (List<Object>) service.getValue().getOrDefault("ports", List.of())) {
                String mapping = variable.matcher(String.valueOf(published)).replaceAll("$1");
                String[] parts = mapping.split(":");
                String host = parts[parts.length - 2];
                assertThat(deployDoc).as("docs/deploy.md's ports table lists %s's port %s", service.getKey(), host)
                        .containsPattern("(?m)^\\| `?" + Pattern.quote(service.getKey()) + "`? \\|.*\\b" + host + "\\b");
            }
            profiles.addAll((List<String>) service.getValue().getOrDefault("profiles", List.of()));
        }
        assertThat(profiles).isNotEmpty();
        for (String profile : profiles) {
            assertThat(deployDoc).as("docs/deploy.md explains the %s profile", profile).contains("--profile " + profile);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theLokiProfilesFilesParseAndShipTheApps() throws IOException {
        Map<String, Object> promtail = new Yaml().load(Files.readString(DEPLOY.resolve("promtail.yml")));
        assertThat(String.valueOf(promtail.get("clients"))).contains("http://loki:3100/loki/api/v1/push");
        assertThat(String.valueOf(promtail.get("scrape_configs")))
                .contains("com.docker.compose.project=" + compose().get("name"));
        Map<String, Object> loki = new Yaml().load(Files.readString(DEPLOY.resolve("loki.yml")));
        assertThat(((Map<String, Object>) loki.get("compactor")).get("retention_enabled")).isEqualTo(true);
        Map<String, Object> datasource = new Yaml().load(Files.readString(
                DEPLOY.resolve("grafana/provisioning/datasources/loki.yml")));
        assertThat(String.valueOf(datasource.get("datasources"))).contains("url=http://loki:3100");
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

    @Test
    void theAgentsInstallScriptIsShellcheckClean() throws Exception {
        Path shellcheck = RealPeers.require("shellcheck", "shellcheck");
        Result result = run(Map.of(), shellcheck.toString(), DEPLOY.resolve("install-agent.sh").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /**
     * The install script into a folder standing for a server's root: jar, unit, settings and state
     * folder with their modes; run again, nothing changes but the jar; --as-user adds the user and a
     * drop-in that a later run without it takes away; a missing jar is one line on stderr.
     * (useradd and chown need root, which CI has.)
     */
    @Test
    void theAgentsInstallScriptInstallsIdempotentlyAndExplainsAFailureInOneLine() throws Exception {
        requireRoot();
        Path server = Files.createTempDirectory("agent-server");
        Files.createDirectories(server.resolve("etc"));
        for (String file : List.of("passwd", "group", "shadow", "gshadow")) {
            Files.createFile(server.resolve("etc").resolve(file));
        }
        Path jar = Files.createTempFile("gatehouse-node-agent", ".jar");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
        }
        String script = DEPLOY.resolve("install-agent.sh").toString();

        Result first = run(Map.of(), script, "--root", server.toString(), jar.toString());
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("runs as root").contains("enroll --api");
        assertThat(Files.readAllBytes(server.resolve("opt/gatehouse/gatehouse-node-agent.jar")))
                .isEqualTo(Files.readAllBytes(jar));
        assertThat(Files.readString(server.resolve("etc/systemd/system/gatehouse-agent.service")))
                .isEqualTo(Files.readString(DEPLOY.resolve("gatehouse-agent.service")));
        assertThat(mode(server.resolve("var/lib/gatehouse-agent"))).isEqualTo("rwx------");
        assertThat(mode(server.resolve("etc/gatehouse/agent.env"))).isEqualTo("rw-r-----");
        Files.writeString(server.resolve("etc/gatehouse/agent.env"), "GATEHOUSE_AGENT_POLL_INTERVAL=5s\n");
        Files.writeString(server.resolve("var/lib/gatehouse-agent/node.crt"), "enrolled");

        Result asUser = run(Map.of(), script, "--as-user", "--root", server.toString(), jar.toString());
        assertThat(asUser.exitCode()).as(asUser.output()).isZero();
        assertThat(asUser.output()).contains("runs as gatehouse-agent").contains("systemctl restart gatehouse-agent");
        assertThat(Files.readString(server.resolve("etc/gatehouse/agent.env")))
                .as("settings are kept").isEqualTo("GATEHOUSE_AGENT_POLL_INTERVAL=5s\n");
        List<String> users = Files.readAllLines(server.resolve("etc/passwd"));
        assertThat(users).singleElement().asString().startsWith("gatehouse-agent:x:")
                .endsWith(":/var/lib/gatehouse-agent:/usr/sbin/nologin");
        String uid = users.get(0).split(":")[2];
        assertThat(Files.getAttribute(server.resolve("var/lib/gatehouse-agent/node.crt"), "unix:uid").toString())
                .as("the identity enrolled as root is the agent's").isEqualTo(uid);
        Path dropIn = server.resolve("etc/systemd/system/gatehouse-agent.service.d/user.conf");
        assertThat(Files.readString(dropIn)).contains("User=gatehouse-agent", "Group=gatehouse-agent");

        Result again = run(Map.of(), script, "--as-user", "--root", server.toString(), jar.toString());
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(Files.readAllLines(server.resolve("etc/passwd"))).as("the user is made once").hasSize(1);

        Result back = run(Map.of(), script, "--root", server.toString(), jar.toString());
        assertThat(back.exitCode()).as(back.output()).isZero();
        assertThat(dropIn.getParent()).as("without --as-user the agent runs as root again").doesNotExist();

        Result missing = run(Map.of(), script, "--root", server.toString(), server.resolve("nothing.jar").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output().lines()).singleElement().asString()
                .startsWith("install-agent: no agent jar at ").contains("package");
    }

    private static String mode(Path path) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static void requireRoot() throws Exception {
        Result id = run(Map.of(), "id", "-u");
        if (!id.output().trim().equals("0")) {
            String message = "needs root (useradd, chown), as CI has";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            org.junit.jupiter.api.Assumptions.abort(message);
        }
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

package dev.gatehouse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

package dev.gatehouse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.PrometheusServer;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/prometheus.yml as the real Prometheus runs it, its targets pointed at control-api, the
 * collector and the scheduler running as jars the way compose runs them (secrets as files in a
 * config tree), with a node agent in session whose subscription is suspended: every key series of
 * the dashboard is scraped, with the values this installation must show, and every metric the
 * dashboard queries exists. The apps' compose health checks pass against them too.
 */
class PrometheusScrapeIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path ROOT = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final String ADMIN = "scrape-admin";
    private static final String PASSWORD = "a long password for the scrape test";

    /** The compose service each scrape target names, and the port the test's app listens on. */
    private static final Map<String, Integer> HTTP_PORTS = new LinkedHashMap<>();
    private static final List<Jar> RUNNING = new ArrayList<>();
    private static TestDatabase db;
    private static PrometheusServer prometheus;
    private static String subscription;
    private static String node;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgres.instance().createDatabase();
        int grpcPort = Ports.free();
        for (String app : List.of("control-api", "collector", "scheduler")) {
            HTTP_PORTS.put(app, Ports.free());
        }
        // As compose hands them over: the data key and the database password as files named by the
        // setting they fill, never in the environment.
        Path secrets = Files.createTempDirectory("scrape-secrets");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(secrets.resolve("gatehouse.domain.data-key"), Base64.getEncoder().encodeToString(key) + "\n");
        Files.writeString(secrets.resolve("spring.datasource.password"),
                (db.password() == null ? "" : db.password()) + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_DB_URL", db.jdbcUrl());
        env.put("GATEHOUSE_DB_USER", db.username());
        env.put("GATEHOUSE_SECRETS_DIR", secrets + "/");
        env.put("GATEHOUSE_REDIS_URL", TestRedis.instance().url());
        env.put("GATEHOUSE_REDIS_NAMESPACE", "scrape" + TestRedis.uniqueKeyPrefix().replaceAll("[^a-z0-9]", ""));
        env.put("GATEHOUSE_COLLECTOR_ADDRESS", "127.0.0.1:" + grpcPort);
        env.put("GATEHOUSE_LOG_FORMAT", "json");

        Map<String, String> api = new HashMap<>(env);
        api.put("GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN);
        api.put("GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD);
        RUNNING.add(Jar.start("control-api", api, HTTP_PORTS.get("control-api")));
        Map<String, String> collector = new HashMap<>(env);
        collector.put("GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpcPort));
        collector.put("GATEHOUSE_COLLECTOR_BIND_ADDRESS", "127.0.0.1");
        RUNNING.add(Jar.start("collector", collector, HTTP_PORTS.get("collector")));
        Map<String, String> scheduler = new HashMap<>(env);
        scheduler.put("SPRING_APPLICATION_JSON", "{\"gatehouse\":{\"scheduler\":{\"gauge-interval\":\"1s\"}}}");
        RUNNING.add(Jar.start("scheduler", scheduler, HTTP_PORTS.get("scheduler")));

        AdminApi admin = new AdminApi("http://127.0.0.1:" + HTTP_PORTS.get("control-api"));
        admin.login(ADMIN, PASSWORD);
        String slug = "t" + UUID.randomUUID().toString().substring(0, 8);
        String tenant = admin.post("/tenants", Map.of("name", slug, "slug", slug)).path("id").asString();
        JsonNode created = admin.post("/nodes", Map.of("tenant_id", tenant, "name", "edge", "address", "127.0.0.1",
                "capacity", 10, "engines", Map.of("xray", Map.of("inbounds", List.of(Map.of("tag", "vless-in",
                        "protocol", "vless", "port", Ports.free(), "network", "tcp"))))));
        node = created.path("node").path("id").asString();
        String plan = admin.post("/plans", Map.of("tenant_id", tenant, "name", "xray", "engines", List.of("xray")))
                .path("id").asString();
        String person = admin.post("/users", Map.of("tenant_id", tenant, "username", "alice")).path("id").asString();
        subscription = admin.post("/subscriptions", Map.of("user_id", person, "plan_id", plan, "strategy", "manual",
                "node_ids", List.of(node))).path("subscription").path("id").asString();

        // An agent with no engine of its own still holds the session and acknowledges every revision
        // (reporting what it could not apply), which is what enforcement is measured by.
        Path state = Files.createTempDirectory("scrape-agent");
        Jar.Finished enrolled = Jar.once("node-agent", "enroll", "--api", admin.base(), "--token",
                created.path("enrollment_token").asString(), "--ca-sha256", created.path("ca_sha256").asString(),
                "--state", state.toString());
        assertThat(enrolled.exitCode()).as(enrolled.output()).isZero();
        RUNNING.add(Jar.run("node-agent", "run", "--state", state.toString(), "--http-port",
                String.valueOf(Ports.free()), "--xray-mode", "off", "--wireguard", "false"));
        await("the agent applies its first revision", PrometheusScrapeIT::applied);
        admin.post("/subscriptions/" + subscription + "/suspend", Map.of("reason", "unpaid"));
        await("the agent applies the suspension", PrometheusScrapeIT::applied);

        prometheus = PrometheusServer.start(scrapeConfig());
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        for (int i = RUNNING.size() - 1; i >= 0; i--) {
            RUNNING.get(i).close();
        }
    }

    /**
     * deploy/prometheus.yml with each target's compose host:port replaced by this test's loopback
     * port and a 1 s interval; the rule files it names are copied beside it. A target that names
     * anything but the three apps fails here, so a new one cannot go unchecked.
     */
    @SuppressWarnings("unchecked")
    private static Path scrapeConfig() throws IOException {
        Path folder = Files.createTempDirectory("prometheus-config");
        Map<String, Object> config = new Yaml().load(Files.readString(DEPLOY.resolve("prometheus.yml")));
        Map<String, Object> global = (Map<String, Object>) config.computeIfAbsent("global", k -> new HashMap<>());
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
                List<String> targets = new ArrayList<>();
                for (String target : (List<String>) group.get("targets")) {
                    String host = target.substring(0, target.lastIndexOf(':'));
                    assertThat(HTTP_PORTS).as("the target %s of job %s is an app this test runs", target,
                            job.get("job_name")).containsKey(host);
                    targets.add("127.0.0.1:" + HTTP_PORTS.get(host));
                }
                group.put("targets", targets);
            }
        }
        for (String rules : (List<String>) config.getOrDefault("rule_files", List.of())) {
            Files.copy(DEPLOY.resolve(rules), folder.resolve(rules));
        }
        Path file = folder.resolve("prometheus.yml");
        Files.writeString(file, new Yaml().dump(config));
        return file;
    }

    /** The key series, each with the PromQL that must return at least one sample. */
    private static Map<String, String> keySeries() {
        Map<String, String> series = new LinkedHashMap<>();
        series.put("every app up", "count(up{job=~\"control-api|collector|scheduler\"} == 1) == 3");
        series.put("HTTP requests", "http_server_requests_seconds_count{job=\"control-api\"}");
        series.put("HTTP latency buckets", "http_server_requests_seconds_bucket{job=\"control-api\",le=\"0.1\"}");
        series.put("subscriptions by state: none active", "gatehouse_subscriptions{job=\"scheduler\",state=\"active\"} == 0");
        series.put("subscriptions by state: one suspended",
                "gatehouse_subscriptions{job=\"scheduler\",state=\"suspended\"} == 1");
        series.put("subscriptions near their quota", "gatehouse_subscriptions_near_quota{job=\"scheduler\"} == 0");
        series.put("node load", "gatehouse_node_assigned_subscriptions{job=\"scheduler\",node=\"" + node + "\"} == 1");
        series.put("node capacity", "gatehouse_node_capacity_subscriptions{job=\"scheduler\",node=\"" + node
                + "\",node_name=\"edge\"} == 10");
        series.put("the agent's session", "gatehouse_collector_sessions_open{job=\"collector\"} == 1");
        series.put("ingest rate", "rate(gatehouse_collector_samples_total{job=\"collector\",outcome=\"inserted\"}[1m])");
        series.put("ingest lag", "gatehouse_collector_ingest_lag_seconds_bucket{job=\"collector\"}");
        series.put("enforcement latency of the suspension",
                "gatehouse_collector_enforcement_seconds_count{job=\"collector\"} >= 1");
        series.put("enforcement latency buckets", "gatehouse_collector_enforcement_seconds_bucket{job=\"collector\"}");
        series.put("job results", "gatehouse_scheduler_job_duration_seconds_count{job=\"scheduler\",outcome=\"succeeded\"}");
        series.put("job last success", "gatehouse_scheduler_job_last_success_seconds{job=\"scheduler\"}");
        return series;
    }

    @Test
    void prometheusScrapesEveryKeySeriesFromTheRunningApps() throws Exception {
        Map<String, String> missing = new LinkedHashMap<>(keySeries());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            for (var entry : List.copyOf(missing.entrySet())) {
                if (!prometheus.query(entry.getValue()).isEmpty()) {
                    missing.remove(entry.getKey());
                }
            }
            if (!missing.isEmpty()) {
                Thread.sleep(500);
            }
        }
        assertThat(missing).as("series not scraped within 120 s; targets: %s", prometheus.targets()).isEmpty();

        double enforced = prometheus.query("max(gatehouse_collector_enforcement_seconds_max{job=\"collector\"})")
                .get(0).path("value").get(1).asDouble();
        assertThat(enforced).as("the suspension was enforced, within the minute this test allows").isPositive()
                .isLessThan(60);
        for (JsonNode sample : prometheus.query("gatehouse_scheduler_job_duration_seconds_count")) {
            assertThat(sample.path("metric").has("job_name"))
                    .as("job results are labelled job_name, not the scrape's own job: %s", sample).isTrue();
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsScraped() throws Exception {
        JsonNode dashboard = JSON.readTree(Files.readString(DEPLOY.resolve("grafana/dashboards/gatehouse-overview.json")));
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:gatehouse|http_server|jvm|hikaricp|process)_[a-z0-9_]+)\\b");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asString());
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        assertThat(queried).contains("gatehouse_collector_enforcement_seconds_bucket",
                "gatehouse_subscriptions_near_quota", "gatehouse_node_capacity_subscriptions");
        await("the first scrapes of every app", () -> {
            try {
                return prometheus.query("count(up == 1) == 3").size() == 1
                        && prometheus.query("gatehouse_collector_enforcement_seconds_count >= 1").size() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> scraped = prometheus.metricNames();
        assertThat(scraped).as("what the dashboard's panels query").containsAll(queried);
    }

    @Test
    void theRuleFilesTheConfigNamesAreLoaded() throws Exception {
        @SuppressWarnings("unchecked")
        List<String> files = (List<String>) new Yaml().<Map<String, Object>>load(
                Files.readString(DEPLOY.resolve("prometheus.yml"))).getOrDefault("rule_files", List.of());
        int groups = 0;
        for (String file : files) {
            Map<String, Object> rules = new Yaml().load(Files.readString(DEPLOY.resolve(file)));
            groups += ((List<?>) rules.get("groups")).size();
        }
        assertThat(prometheus.ruleGroups()).hasSize(groups);
    }

    /** docker-compose.yml's health check of each app, run as its container would, against the running app. */
    @Test
    @SuppressWarnings("unchecked")
    void composesHealthChecksPassAgainstTheRunningApps() throws Exception {
        Map<String, Object> services = (Map<String, Object>) new Yaml().<Map<String, Object>>load(
                Files.readString(DEPLOY.resolve("docker-compose.yml"))).get("services");
        Map<String, String> containerPorts = Map.of("control-api", "8080", "collector", "8082", "scheduler", "8083");
        for (var app : containerPorts.entrySet()) {
            List<String> test = (List<String>) ((Map<String, Object>) ((Map<String, Object>) services.get(app.getKey()))
                    .get("healthcheck")).get("test");
            assertThat(test.subList(0, 3)).containsExactly("CMD", "bash", "-c");
            String inContainer = "/dev/tcp/127.0.0.1/" + app.getValue();
            assertThat(test.get(3)).contains(inContainer);
            String here = test.get(3).replace(inContainer, "/dev/tcp/127.0.0.1/" + HTTP_PORTS.get(app.getKey()));
            Process check = new ProcessBuilder("bash", "-c", here).redirectErrorStream(true).start();
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("%s's health check: %s", app.getKey(),
                    new String(check.getInputStream().readAllBytes())).isZero();
        }
        // Nothing listening: the same check fails.
        String closed = "/dev/tcp/127.0.0.1/" + Ports.free();
        List<String> test = (List<String>) ((Map<String, Object>) ((Map<String, Object>) services.get("collector"))
                .get("healthcheck")).get("test");
        Process check = new ProcessBuilder("bash", "-c", test.get(3).replace("/dev/tcp/127.0.0.1/8082", closed))
                .redirectErrorStream(true).start();
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).isNotZero();
    }

    private static boolean applied() {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("""
                SELECT applied_revision >= desired_revision AND applied_revision > 0 FROM node_revisions
                WHERE node_id = ?::uuid""")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (Jar jar : RUNNING) {
                    logs.append(jar.tail());
                }
                throw new AssertionError(what + ": not within 90 s\n" + logs);
            }
            Thread.sleep(200);
        }
    }

    /** One of this build's jars as its own process, its output in a file. */
    private static final class Jar implements AutoCloseable {

        private record Finished(int exitCode, String output) {
        }

        private final String module;
        private final Process process;
        private final Path log;

        private Jar(String module, Process process, Path log) {
            this.module = module;
            this.process = process;
            this.log = log;
        }

        private static ProcessBuilder builder(String module, String... args) {
            Path jar = ROOT.resolve(module).resolve("target/gatehouse-" + module + ".jar");
            assertThat(jar).as("%s is built before the launcher's integration tests", jar).isRegularFile();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-jar", jar.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") && !k.equals("GATEHOUSE_MODULE_DIR"));
            return pb;
        }

        /** Starts an app and returns once its readiness probe answers UP. */
        static Jar start(String module, Map<String, String> env, int httpPort) throws Exception {
            ProcessBuilder pb = builder(module);
            pb.environment().putAll(env);
            pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(httpPort));
            Jar jar = launch(module, pb);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                try {
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                    + httpPort + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (ready.statusCode() == 200) {
                        return jar;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                if (!jar.process.isAlive() || System.nanoTime() > deadline) {
                    String output = jar.tail();
                    jar.close();
                    throw new AssertionError(module + " did not become ready within 120 s:\n" + output);
                }
                Thread.sleep(200);
            }
        }

        static Jar run(String module, String... args) throws IOException {
            return launch(module, builder(module, args));
        }

        private static Jar launch(String module, ProcessBuilder pb) throws IOException {
            Path log = Files.createTempFile(module, ".log");
            return new Jar(module, pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start(), log);
        }

        static Finished once(String module, String... args) throws Exception {
            Jar jar = launch(module, builder(module, args));
            assertThat(jar.process.waitFor(60, TimeUnit.SECONDS)).as("%s %s ends", module, args[0]).isTrue();
            Finished finished = new Finished(jar.process.exitValue(), Files.readString(jar.log));
            Files.deleteIfExists(jar.log);
            return finished;
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return "--- " + module + " ---\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
            } catch (IOException e) {
                return "--- " + module + ": no log ---\n";
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }
}

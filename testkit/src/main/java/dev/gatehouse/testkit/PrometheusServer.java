package dev.gatehouse.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real {@code prometheus} (Debian package prometheus) on a free loopback port, with a given
 * configuration file and a throw-away data folder; queried over its HTTP API as Grafana would.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final Path folder;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path folder, Path log, int port) {
        this.process = process;
        this.folder = folder;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts Prometheus on {@code config} (files it names, such as rule files, are read relative to
     * the config's folder) and returns once {@code /-/ready} answers 200.
     */
    public static PrometheusServer start(Path config) throws Exception {
        Path binary = RealPeers.require("prometheus", "prometheus");
        Path folder = Files.createTempDirectory("prometheus");
        Path log = folder.resolve("prometheus.log");
        int port = Ports.free();
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + folder.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PrometheusServer server = new PrometheusServer(process, folder, log, port);
        try {
            server.awaitReady();
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited while starting:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("prometheus was not ready within 60 s:\n" + output());
            }
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code data} of a successful API answer; fails on any other. */
    private JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asString())) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return body.path("data");
    }

    /** An instant query: the result vector's samples ({@code metric} labels and {@code value}). */
    public List<JsonNode> query(String promql) throws IOException, InterruptedException {
        List<JsonNode> samples = new ArrayList<>();
        api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result")
                .forEach(samples::add);
        return samples;
    }

    /** Every metric name Prometheus holds. */
    public List<String> metricNames() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        api("/api/v1/label/__name__/values").forEach(n -> names.add(n.asString()));
        return names;
    }

    /** The scrape targets ({@code activeTargets}: labels, health, lastError). */
    public List<JsonNode> targets() throws IOException, InterruptedException {
        List<JsonNode> targets = new ArrayList<>();
        api("/api/v1/targets").path("activeTargets").forEach(targets::add);
        return targets;
    }

    /** The loaded rule groups. */
    public List<JsonNode> ruleGroups() throws IOException, InterruptedException {
        List<JsonNode> groups = new ArrayList<>();
        api("/api/v1/rules").path("groups").forEach(groups::add);
        return groups;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

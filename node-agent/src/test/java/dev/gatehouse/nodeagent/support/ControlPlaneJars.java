package dev.gatehouse.nodeagent.support;

import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * control-api and the collector as an operator runs them: their built jars in their own JVMs, on a
 * fresh database of the test PostgreSQL and a namespace of the test Redis, with a data key and a
 * first admin. The agent under test enrols against the one and holds its session with the other.
 */
public final class ControlPlaneJars implements AutoCloseable {

    public static final String ADMIN = "agent-test-admin";
    public static final String PASSWORD = "a long test password for the agent";

    private final TestDatabase db;
    private final Process controlApi;
    private final Map<String, String> collectorEnv;
    private final Path collectorJar;
    private final int apiPort;
    private final int grpcPort;
    private final Path logs;
    private Process collector;

    private ControlPlaneJars(TestDatabase db, Process controlApi, Process collector, Map<String, String> collectorEnv,
                             Path collectorJar, int apiPort, int grpcPort, Path logs) {
        this.db = db;
        this.controlApi = controlApi;
        this.collector = collector;
        this.collectorEnv = collectorEnv;
        this.collectorJar = collectorJar;
        this.apiPort = apiPort;
        this.grpcPort = grpcPort;
        this.logs = logs;
    }

    public static ControlPlaneJars start() throws Exception {
        return start(Map.of());
    }

    /** With extra settings for both apps (e.g. a short node certificate validity). */
    public static ControlPlaneJars start(Map<String, String> extra) throws Exception {
        Path root = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent();
        Path logs = Files.createTempDirectory("agent-control-plane");
        TestDatabase db = TestPostgres.instance().createDatabase();
        int apiPort = Ports.free();
        int grpcPort = Ports.free();
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_DB_URL", db.jdbcUrl());
        env.put("GATEHOUSE_DB_USER", db.username());
        env.put("GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password());
        env.put("GATEHOUSE_REDIS_URL", TestRedis.instance().url());
        env.put("GATEHOUSE_REDIS_NAMESPACE", "agent" + TestRedis.uniqueKeyPrefix().replaceAll("[^a-z0-9]", ""));
        env.put("GATEHOUSE_DATA_KEY", Base64.getEncoder().encodeToString(key));
        env.put("GATEHOUSE_COLLECTOR_ADDRESS", "127.0.0.1:" + grpcPort);
        env.putAll(extra);
        Map<String, String> api = new HashMap<>(env);
        api.put("GATEHOUSE_HTTP_PORT", String.valueOf(apiPort));
        api.put("GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN);
        api.put("GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD);
        Process controlApi = jar(root.resolve("control-api/target/gatehouse-control-api.jar"), api,
                logs.resolve("control-api.log"));
        try {
            awaitHealth(apiPort, controlApi, logs.resolve("control-api.log"));
            Map<String, String> col = new HashMap<>(env);
            col.put("GATEHOUSE_HTTP_PORT", String.valueOf(Ports.free()));
            col.put("GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpcPort));
            col.put("GATEHOUSE_COLLECTOR_BIND_ADDRESS", "127.0.0.1");
            Path collectorJar = root.resolve("collector/target/gatehouse-collector.jar");
            ControlPlaneJars plane = new ControlPlaneJars(db, controlApi, null, col, collectorJar, apiPort, grpcPort,
                    logs);
            plane.startCollector();
            return plane;
        } catch (Exception e) {
            controlApi.destroyForcibly();
            throw e;
        }
    }

    /** Starts the collector and waits until it is healthy and its session port open. */
    public void startCollector() throws Exception {
        collector = jar(collectorJar, collectorEnv, logs.resolve("collector.log"));
        awaitHealth(Integer.parseInt(collectorEnv.get("GATEHOUSE_HTTP_PORT")), collector, logs.resolve("collector.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Ports.listening(grpcPort)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the collector's session port never opened");
            }
            Thread.sleep(100);
        }
    }

    /** kill -9 of the collector: every agent loses its session at once. */
    public void killCollector() throws InterruptedException {
        collector.destroyForcibly();
        collector.waitFor(15, TimeUnit.SECONDS);
    }

    private static Process jar(Path jar, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitHealth(int port, Process process, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not healthy within 120 s: " + Files.readString(log));
    }

    public AdminApi admin() throws Exception {
        AdminApi api = new AdminApi(apiBase());
        api.login(ADMIN, PASSWORD);
        return api;
    }

    public String apiBase() {
        return "http://127.0.0.1:" + apiPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public Connection database() throws SQLException {
        return db.connect();
    }

    public String logs() throws IOException {
        return Files.readString(logs.resolve("control-api.log")) + Files.readString(logs.resolve("collector.log"));
    }

    @Override
    public void close() {
        for (Process p : new Process[] {collector, controlApi}) {
            if (p == null) {
                continue;
            }
            p.destroy();
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}

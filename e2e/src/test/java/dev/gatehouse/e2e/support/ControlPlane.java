package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane as an operator runs it: control-api, the collector and the scheduler, each its
 * built jar in its own JVM, on a PostgreSQL and a Redis of the test's own (so both can be taken down
 * and brought back). The collector is published on {@code hostAddress}, the host's end of the links
 * to the nodes' network namespaces.
 */
public final class ControlPlane implements AutoCloseable {

    public static final String ADMIN = "operator";
    public static final String PASSWORD = "a long operator password";

    private final Database database;
    private final Redis redis;
    private final String hostAddress;
    private final int apiPort;
    private final int grpcPort;
    private final App controlApi;
    private final App collector;
    private final App scheduler;

    private ControlPlane(Database database, Redis redis, String hostAddress, int apiPort, int grpcPort, App controlApi,
                         App collector, App scheduler) {
        this.database = database;
        this.redis = redis;
        this.hostAddress = hostAddress;
        this.apiPort = apiPort;
        this.grpcPort = grpcPort;
        this.controlApi = controlApi;
        this.collector = collector;
        this.scheduler = scheduler;
    }

    /** Starts PostgreSQL, Redis, then control-api (it migrates), the collector and the scheduler. */
    public static ControlPlane start(String hostAddress, Map<String, String> scheduler) throws Exception {
        Path root = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent();
        Path logs = Files.createTempDirectory("e2e-logs");
        Database database = Database.start();
        Redis redis = Redis.start();
        int apiPort = Ports.free();
        int grpcPort = Ports.free();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_DB_URL", database.jdbcUrl());
        env.put("GATEHOUSE_DB_USER", "postgres");
        env.put("GATEHOUSE_DB_PASSWORD", "");
        env.put("GATEHOUSE_REDIS_URL", redis.url());
        env.put("GATEHOUSE_DATA_KEY", Base64.getEncoder().encodeToString(key));
        env.put("GATEHOUSE_COLLECTOR_ADDRESS", hostAddress + ":" + grpcPort);
        env.put("GATEHOUSE_LOG_FORMAT", "text");
        App controlApi = app(root, "control-api", env, Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(apiPort)), logs,
                apiPort);
        App collector = null;
        App schedulerApp = null;
        try {
            controlApi.start();
            int collectorHttp = Ports.free();
            collector = app(root, "collector", env, Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(collectorHttp),
                    "GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpcPort),
                    "GATEHOUSE_COLLECTOR_BIND_ADDRESS", "0.0.0.0"), logs, collectorHttp).start();
            int schedulerHttp = Ports.free();
            Map<String, String> own = new HashMap<>(scheduler);
            own.put("GATEHOUSE_HTTP_PORT", String.valueOf(schedulerHttp));
            schedulerApp = app(root, "scheduler", env, own, logs, schedulerHttp).start();
        } catch (Exception e) {
            for (App a : new App[] {schedulerApp, collector, controlApi}) {
                if (a != null) {
                    a.close();
                }
            }
            redis.close();
            database.close();
            throw e;
        }
        return new ControlPlane(database, redis, hostAddress, apiPort, grpcPort, controlApi, collector, schedulerApp);
    }

    private static App app(Path root, String name, Map<String, String> shared, Map<String, String> own, Path logs,
                           int httpPort) {
        Map<String, String> env = new HashMap<>(shared);
        env.putAll(own);
        return new App(name, root.resolve(name + "/target/gatehouse-" + name + ".jar"), env, httpPort,
                logs.resolve(name + ".log"));
    }

    /**
     * Creates the first platform admin with the one-time token control-api printed at its first
     * start (there is no default password), and signs in as them.
     */
    public AdminApi bootstrap() throws Exception {
        Matcher token = Pattern.compile("(ghb_[A-Za-z0-9_-]+)").matcher(controlApi.output());
        if (!token.find()) {
            throw new AssertionError("control-api printed no bootstrap token:\n" + controlApi.tail());
        }
        AdminApi api = new AdminApi(localApi());
        api.post("/auth/bootstrap", Map.of("token", token.group(1), "username", ADMIN, "password", PASSWORD));
        api.login(ADMIN, PASSWORD);
        return api;
    }

    /** control-api as the test reaches it. */
    public String localApi() {
        return "http://127.0.0.1:" + apiPort;
    }

    /** control-api as the nodes reach it, from their namespaces. */
    public String nodeApi() {
        return "http://" + hostAddress + ":" + apiPort;
    }

    public Database database() {
        return database;
    }

    public Redis redis() {
        return redis;
    }

    public App controlApi() {
        return controlApi;
    }

    public App collector() {
        return collector;
    }

    public App scheduler() {
        return scheduler;
    }

    public int grpcPort() {
        return grpcPort;
    }

    @Override
    public void close() throws Exception {
        for (App a : new App[] {scheduler, collector, controlApi}) {
            a.close();
        }
        redis.close();
        database.close();
    }
}

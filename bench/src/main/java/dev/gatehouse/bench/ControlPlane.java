package dev.gatehouse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole control plane as an operator starts it (the launcher, its embedded PostgreSQL and
 * Redis), in a temporary home on free ports, with a first admin from the bootstrap settings.
 */
final class ControlPlane implements AutoCloseable {

    static final String ADMIN = "bench-admin";
    static final String PASSWORD = "a long benchmark password";

    private final Path home;
    private final Process launcher;
    private final int apiPort;
    private final int dbPort;
    private final int grpcPort;

    private ControlPlane(Path home, Process launcher, int apiPort, int dbPort, int grpcPort) {
        this.grpcPort = grpcPort;
        this.home = home;
        this.launcher = launcher;
        this.apiPort = apiPort;
        this.dbPort = dbPort;
    }

    static ControlPlane start(Path root) throws Exception {
        Path home = Files.createTempDirectory("gatehouse-bench");
        int api = free();
        int db = free();
        int grpc = free();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", root.resolve("launcher/target/gatehouse-launcher.jar").toString(), root.toString())
                .redirectErrorStream(true);
        pb.environment().putAll(Map.of("GATEHOUSE_HOME", home.toString(),
                "GATEHOUSE_CONTROL_API_PORT", String.valueOf(api),
                "GATEHOUSE_EMBEDDED_DB_PORT", String.valueOf(db),
                "GATEHOUSE_EMBEDDED_REDIS_PORT", String.valueOf(free()),
                "GATEHOUSE_COLLECTOR_HTTP_PORT", String.valueOf(free()),
                "GATEHOUSE_SCHEDULER_HTTP_PORT", String.valueOf(free()),
                "GATEHOUSE_BOOTSTRAP_ADMIN", ADMIN,
                "GATEHOUSE_BOOTSTRAP_PASSWORD", PASSWORD,
                // 100k people with WireGuard need more than the default /16 (65,533 addresses).
                "GATEHOUSE_WG_ADDRESS_POOL", "10.64.0.0/14"));
        pb.environment().put("GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpc));
        pb.environment().put("GATEHOUSE_COLLECTOR_ADDRESS", "127.0.0.1:" + grpc);
        pb.environment().remove("GATEHOUSE_DATA_KEY");
        pb.environment().remove("GATEHOUSE_DB_URL");
        pb.environment().remove("GATEHOUSE_REDIS_URL");
        // To look into a run afterwards (plans, slow statements): an external, empty database.
        String external = System.getenv("GATEHOUSE_BENCH_DB_URL");
        if (external != null && !external.isBlank()) {
            pb.environment().put("GATEHOUSE_DB_URL", external);
        }
        Process process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        String line;
        java.util.Deque<String> last = new java.util.ArrayDeque<>();
        while ((line = out.readLine()) != null) {
            last.addLast(line);
            if (last.size() > 30) {
                last.removeFirst();
            }
            if (line.contains("Gatehouse is up.")) {
                // The apps' output is kept beside the jar for a look after the run.
                Path log = root.resolve("bench/target/control-plane.log");
                Thread drain = new Thread(() -> {
                    try (var writer = Files.newBufferedWriter(log)) {
                        for (String l = out.readLine(); l != null; l = out.readLine()) {
                            writer.write(l);
                            writer.newLine();
                        }
                    } catch (IOException e) {
                        // the launcher ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return new ControlPlane(home, process, api, db, grpc);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        boolean ended = process.waitFor(1, TimeUnit.SECONDS);
        process.destroyForcibly();
        throw new IllegalStateException("the control plane did not come up; its last lines:\n"
                + String.join("\n", last)
                + (ended ? " (the launcher exited with " + process.exitValue() + ")" : ""));
    }

    int grpcPort() {
        return grpcPort;
    }

    String apiBase() {
        return "http://127.0.0.1:" + apiPort;
    }

    Connection database() throws SQLException {
        String external = System.getenv("GATEHOUSE_BENCH_DB_URL");
        if (external != null && !external.isBlank()) {
            return DriverManager.getConnection(external, System.getenv().getOrDefault("GATEHOUSE_DB_USER", "postgres"),
                    System.getenv().getOrDefault("GATEHOUSE_DB_PASSWORD", ""));
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + dbPort + "/gatehouse", "postgres", "");
    }

    private static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        launcher.toHandle().destroy();
        if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
            launcher.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
        }
    }

    /** Percentile of sorted values (nearest rank). */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}

package dev.gatehouse.bench;

import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent jar as an operator runs it: the control plane through the launcher, one node with a
 * VLESS inbound on loopback, {@code java -jar node-agent/target/gatehouse-node-agent.jar enroll},
 * then {@code run --wireguard false}, which starts its own V2Fly core and applies the node's
 * snapshot. Once the agent reports the node's revision applied, and again after three counter
 * rounds, its resident set ({@code VmRSS}, and the peak {@code VmHWM}, from /proc) and its heap after
 * a full GC ({@code jcmd GC.run}, then its heap pools from its metrics) are read. It runs first
 * serving no one (the baseline); then {@code users} people get a subscription on the node (POST
 * /users/bulk) and it runs with the JVM flags of deploy/gatehouse-agent.service, with the JVM's
 * defaults, and with each extra set of flags given (a word such as {@code MALLOC_ARENA_MAX=2} goes to
 * the environment instead).
 */
final class AgentFootprint {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A word of a flag set that is an environment variable (MALLOC_ARENA_MAX=2), not a JVM flag. */
    private static final Pattern ENVIRONMENT = Pattern.compile("[A-Z_][A-Z0-9_]*=.*");
    private static final Pattern HEAP_USED = Pattern.compile(
            "(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$");
    private static final Pattern SNAPSHOT_SECONDS = Pattern.compile(
            "gatehouse_agent_apply_seconds_max\\{[^}]*kind=\"snapshot\"[^}]*} (\\S+)");

    private final Path root;
    private final int users;
    private final List<List<String>> extraFlags;
    private final HttpClient http = HttpClient.newHttpClient();

    AgentFootprint(Path root, int users, List<List<String>> extraFlags) {
        this.root = root;
        this.users = users;
        this.extraFlags = extraFlags;
    }

    /** The table's rows. */
    List<String> run() throws Exception {
        List<String> rows = new ArrayList<>();
        Path work = Files.createTempDirectory("gatehouse-agent-footprint");
        try (ControlPlane plane = ControlPlane.start(root)) {
            AdminApi api = new AdminApi(plane.apiBase());
            api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
            String tenant = api.post("/tenants", Map.of("name", "Bench", "slug", "bench")).path("id").asString();
            JsonNode node = api.post("/nodes", Map.of("tenant_id", tenant, "name", "edge", "address", "127.0.0.1",
                    "engines", Map.of("xray", Map.of("inbounds", List.of(Map.of("tag", "vless-in",
                            "protocol", "vless", "port", Ports.free(), "network", "tcp", "security", "none"))))));
            String nodeId = node.path("node").path("id").asString();
            String plan = api.post("/plans", Map.of("tenant_id", tenant, "name", "xray", "duration_days", 30,
                    "engines", List.of("xray"))).path("id").asString();
            Path state = work.resolve("state");
            Process enroll = agent(List.of(), work.resolve("enroll.log"), "enroll", "--api", plane.apiBase(),
                    "--token", node.path("enrollment_token").asString(), "--ca-sha256",
                    node.path("ca_sha256").asString(), "--state", state.toString());
            if (!enroll.waitFor(60, TimeUnit.SECONDS) || enroll.exitValue() != 0) {
                throw new IllegalStateException("enroll failed: " + Files.readString(work.resolve("enroll.log")));
            }
            List<String> unitFlags = unitJvmFlags();
            String unit = "deploy/gatehouse-agent.service's flags (`" + String.join(" ", unitFlags) + "`)";
            Figures idle = measure(work, state, revision(plane, nodeId), 0, unitFlags);
            rows.add(row("agent jar serving no one, " + unit + ": RSS after 3 counter rounds (when applied / peak);"
                    + " heap after a full GC", "", idle.rss() + "; " + idle.heap()));

            for (int made = 0; made < users; made += 500) {
                api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
                List<String> names = new ArrayList<>();
                for (int i = made; i < Math.min(users, made + 500); i++) {
                    names.add(String.format("person-%06d", i));
                }
                api.post("/users/bulk", Map.of("tenant_id", tenant, "usernames", names, "template",
                        Map.of("plan_id", plan, "strategy", "manual", "node_ids", List.of(nodeId))));
            }
            long served = longOf(plane, "SELECT count(*) FROM node_served WHERE node_id = '" + nodeId + "'");
            if (served != users) {
                throw new IllegalStateException("the node serves " + served + " credentials, " + users + " expected");
            }
            System.out.printf("bench: %,d people served by the node%n", users);
            long revision = revision(plane, nodeId);
            Map<String, List<String>> runs = new LinkedHashMap<>();
            runs.put(unit, unitFlags);
            runs.put("JVM defaults (no flags; the heap may grow to a quarter of the machine's " + totalMemoryGib()
                    + " GiB)", List.of());
            extraFlags.forEach(flags -> runs.put("`" + String.join(" ", flags) + "` (tried)", flags));
            for (Map.Entry<String, List<String>> run : runs.entrySet()) {
                Figures f = measure(work, state, revision, users, run.getValue());
                String prefix = "agent jar serving " + AgentBench.n(users) + " users, " + run.getKey() + ": ";
                rows.add(row(prefix + "RSS after 3 counter rounds (when applied / peak)", "< 200 MB", f.rss()));
                rows.add(row(prefix + "heap after a full GC; the V2Fly core's own RSS beside it", "",
                        f.heap() + "; " + f.coreRss() + " MB"));
                rows.add(row(prefix + "start to revision applied (the snapshot's apply alone)", "",
                        String.format("%.1f s (%.2f s)", f.startToApplied(), f.snapshotApply())));
            }
        } finally {
            AgentBench.delete(work);
        }
        return rows;
    }

    private static String row(String figure, String goal, String measured) {
        return "| " + figure + " | " + goal + " | " + measured + " |";
    }

    /** What one run of the agent showed; memory in KiB. */
    private record Figures(double startToApplied, double snapshotApply, long rssApplied, long rssSettled, long peak,
                           long heapAfterGc, long core) {
        String rss() {
            return (rssSettled >> 10) + " MB (" + (rssApplied >> 10) + " / " + (peak >> 10) + " MB)";
        }

        String heap() {
            return (heapAfterGc >> 10) + " MB";
        }

        long coreRss() {
            return core >> 10;
        }
    }

    private static long revision(ControlPlane plane, String nodeId) throws Exception {
        return longOf(plane, "SELECT desired_revision FROM node_revisions WHERE node_id = '" + nodeId + "'");
    }

    /** Runs the agent until it applied the revision with {@code expected} users and read the counters three times. */
    private Figures measure(Path work, Path state, long revision, int expected, List<String> flags) throws Exception {
        int port = Ports.free();
        Path log = work.resolve("agent-" + port + ".log");
        long started = System.nanoTime();
        Process agent = agent(flags, log, "run", "--state", state.toString(), "--http-port", String.valueOf(port),
                "--wireguard", "false");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            JsonNode status = null;
            while (status == null || !status.path("session").asString().equals("connected")
                    || status.path("applied_revision").asLong() < revision
                    || status.path("desired_users").asLong() != expected) {
                if (!agent.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent did not apply revision " + revision + " (status "
                            + status + "); its output:\n" + tail(log));
                }
                Thread.sleep(200);
                status = status(port);
            }
            double applied = AgentBench.seconds(started);
            if (status.path("failures").asLong() != 0) {
                throw new IllegalStateException(status.path("failures") + " credentials failed:\n" + tail(log));
            }
            Matcher snapshot = SNAPSHOT_SECONDS.matcher(get(port, "/actuator/prometheus"));
            double snapshotApply = snapshot.find() ? Double.parseDouble(snapshot.group(1)) : Double.NaN;
            long[] atApply = memory(agent.pid());
            Thread.sleep(35_000); // three counter rounds (every 10 s)
            long[] settled = memory(agent.pid());
            long heapAfterGc = heapAfterGc(agent.pid(), port);
            if (flags.stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking"))) {
                System.out.println(run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(agent.pid()), "VM.native_memory", "summary"));
            }
            Figures figures = new Figures(applied, snapshotApply, atApply[0], settled[0], settled[1], heapAfterGc,
                    coreRss(state));
            System.out.printf("bench: agent %s with %,d users: applied in %.1f s; RSS %s, heap after GC %s%n",
                    String.join(" ", flags), expected, applied, figures.rss(), figures.heap());
            return figures;
        } finally {
            agent.destroy();
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    private Process agent(List<String> flags, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        Map<String, String> env = new java.util.HashMap<>();
        for (String flag : flags) {
            if (ENVIRONMENT.matcher(flag).matches()) {
                env.put(flag.substring(0, flag.indexOf('=')), flag.substring(flag.indexOf('=') + 1));
            } else {
                command.add(flag);
            }
        }
        command.addAll(List.of("-jar", root.resolve("node-agent/target/gatehouse-node-agent.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * The JVM flags in the unit's ExecStart line, between {@code java} and {@code -jar}, and its
     * {@code Environment=KEY=VALUE} lines (as words the run puts in the environment).
     */
    private List<String> unitJvmFlags() throws IOException {
        Path unit = root.resolve("deploy/gatehouse-agent.service");
        if (!Files.exists(unit)) {
            throw new IllegalStateException(unit + " is missing: it says how operators run the agent");
        }
        List<String> environment = new ArrayList<>();
        List<String> flags = null;
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith("Environment=")) {
                environment.addAll(List.of(line.substring("Environment=".length()).trim().split("\\s+")));
            }
            if (line.startsWith("ExecStart=")) {
                List<String> words = List.of(line.substring("ExecStart=".length()).trim().split("\\s+"));
                int jar = words.indexOf("-jar");
                if (jar > 0) {
                    flags = words.subList(1, jar);
                }
            }
        }
        if (flags == null) {
            throw new IllegalStateException("no ExecStart=java ... -jar line in " + unit);
        }
        List<String> all = new ArrayList<>(flags);
        all.addAll(environment);
        return all;
    }

    private JsonNode status(int port) {
        try {
            return JSON.readTree(get(port, "/actuator/agent"));
        } catch (Exception e) {
            return null; // not up yet
        }
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** VmRSS and VmHWM of the process, in KiB. */
    private static long[] memory(long pid) throws IOException {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        return new long[] {kib(status, "VmRSS"), kib(status, "VmHWM")};
    }

    private static long kib(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+) kB").matcher(status);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in /proc status");
        }
        return Long.parseLong(m.group(1));
    }

    /** The heap in use right after a full collection ({@code jcmd GC.run}), in KiB: the agent's heap pools summed. */
    private long heapAfterGc(long pid, int port) throws Exception {
        run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), "GC.run");
        Matcher pools = HEAP_USED.matcher(get(port, "/actuator/prometheus"));
        double bytes = 0;
        while (pools.find()) {
            bytes += Double.parseDouble(pools.group(1));
        }
        if (bytes == 0) {
            throw new IllegalStateException("no heap pools in the agent's metrics");
        }
        return (long) (bytes / 1024);
    }

    private static long coreRss(Path state) throws IOException {
        Path pidFile = state.resolve("xray/core.pid");
        return Files.exists(pidFile) ? memory(Long.parseLong(Files.readString(pidFile).trim()))[0] : 0;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static long longOf(ControlPlane plane, String sql) throws Exception {
        try (Connection c = plane.database(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long totalMemoryGib() throws IOException {
        return kib(Files.readString(Path.of("/proc/meminfo")), "MemTotal") >> 20;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}

package dev.gatehouse.bench;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.nodeagent.engine.wireguard.WgDump;
import dev.gatehouse.nodeagent.engine.wireguard.WireGuardDriver;
import dev.gatehouse.nodeagent.engine.xray.CoreFlavour;
import dev.gatehouse.nodeagent.engine.xray.CoreSettings;
import dev.gatehouse.nodeagent.engine.xray.XrayDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.WireGuardCredential;
import dev.gatehouse.proto.agent.v1.WireGuardInterface;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import dev.gatehouse.testkit.Command;
import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The node agent's engine work at ten thousand users, through the agent's own classes in this JVM:
 * the Xray driver against a V2Fly core it runs (Debian's v2ray 4.34), the WireGuard driver against a
 * wireguard-go interface in a network namespace made for the run, the {@code wg show dump} parser
 * alone, and then the agent jar itself, enrolled with a control plane, for its memory with that many
 * users ({@link AgentFootprint}). Needs root, v2ray, wireguard-go and wg.
 *
 * <p>Options: {@code --users} (10,000 users and peers), {@code --reps} (5 repetitions of each bulk
 * add, each on a fresh core or interface), {@code --reads} (20 counter reads and parses),
 * {@code --singles} (1,000 WireGuard peers added one by one as the before figure), {@code --parts}
 * ({@code drivers,agent}: the drivers in this JVM, the agent jar) and {@code --agent-flags} (JVM flags
 * for one more run of the agent jar each, sets separated by {@code ;}, to try a setting).
 */
final class AgentBench {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final int users;
    private final int reps;
    private final int reads;
    private final int singles;
    private final boolean drivers;
    private final boolean footprint;
    private final List<List<String>> extraFlags;
    private final List<String> rows = new ArrayList<>();
    /** The reconcilers' sample buffers, closed at the end. */
    private final List<SampleLog> buffers = new ArrayList<>();

    AgentBench(Path root, Options options) {
        this.root = root;
        this.users = options.integer("users", 10_000);
        this.reps = options.integer("reps", 5);
        this.reads = options.integer("reads", 20);
        this.singles = options.integer("singles", 1_000);
        String parts = options.values().getOrDefault("parts", "drivers,agent");
        this.drivers = List.of(parts.split(",")).contains("drivers");
        this.footprint = List.of(parts.split(",")).contains("agent");
        this.extraFlags = new ArrayList<>();
        for (String set : options.values().getOrDefault("agent-flags", "").split(";")) {
            if (!set.isBlank()) {
                extraFlags.add(List.of(set.trim().split("\\s+")));
            }
        }
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory("gatehouse-agent-bench");
        try {
            if (drivers) {
                xray(work);
                wireguard(work);
            }
            if (footprint) {
                rows.addAll(new AgentFootprint(root, users, extraFlags).run());
            }
        } finally {
            for (SampleLog buffer : buffers) {
                buffer.close();
            }
            delete(work);
        }
        System.out.println();
        System.out.println("| figure | goal | measured |");
        System.out.println("|---|---|---|");
        rows.forEach(System.out::println);
    }

    // --- Xray / V2Fly ---------------------------------------------------------------------------

    private void xray(Path work) throws Exception {
        int vmessPort = Ports.free();
        int vlessPort = Ports.free();
        NodeConfig config = NodeConfig.newBuilder()
                .addXrayInbounds(inbound("vmess-in", "vmess", vmessPort))
                .addXrayInbounds(inbound("vless-in", "vless", vlessPort)).build();
        List<Double> vless = new ArrayList<>();
        List<Double> vmess = new ArrayList<>();
        List<Double> snapshots = new ArrayList<>();
        long retained = 0;
        int core = 0;
        for (int rep = 0; rep < reps; rep++) {
            try (XrayDriver driver = startCore(work, core++, config)) {
                vless.add(timedAddAll(driver, xrayUsers("vless-in")));
            }
            try (XrayDriver driver = startCore(work, core++, config)) {
                vmess.add(timedAddAll(driver, xrayUsers("vmess-in")));
            }
            try (XrayDriver driver = startCore(work, core++, config)) {
                Reconciler reconciler = reconciler(work.resolve("reconciler" + rep), driver);
                snapshots.add(timedSnapshot(reconciler, config, xrayUsers("vless-in")));
                if (rep == reps - 1) {
                    long holding = heapAfterGc();
                    java.lang.ref.Reference.reachabilityFence(reconciler); // held through the first reading
                    reconciler = null; // what it held (the desired set, the applied sets) is garbage now
                    retained = holding - heapAfterGc();
                }
            }
            System.out.printf("bench: xray repetition %d: VLESS %.2f s, VMess %.2f s, reconciler snapshot %.2f s%n",
                    rep + 1, vless.get(rep), vmess.get(rep), snapshots.get(rep));
        }
        double vmessOneByOne;
        try (XrayDriver driver = startCore(work, core++, config)) {
            vmessOneByOne = oneByOne(driver, xrayUsers("vmess-in"));
        }
        double oneByOne;
        List<Double> counterReads = new ArrayList<>();
        try (XrayDriver driver = startCore(work, core++, config)) {
            List<Credential> list = xrayUsers("vless-in");
            oneByOne = oneByOne(driver, list);
            System.out.printf("bench: xray one by one: VLESS %.2f s, VMess %.2f s%n", oneByOne, vmessOneByOne);
            int counted = trafficThroughEveryUser(vlessPort, list);
            long started;
            for (int i = 0; i < reads + 3; i++) {
                started = System.nanoTime();
                Map<String, EngineDriver.Counters> counters = driver.counters();
                double took = seconds(started);
                if (counters.size() != counted) {
                    throw new IllegalStateException("counters of " + counters.size() + " users, " + counted + " expected");
                }
                if (i >= 3) {
                    counterReads.add(took);
                }
            }
        }
        row("V2Fly: XrayDriver.addAll of " + n(users) + " VLESS users to a started core (64 calls in flight)",
                "< 5 s", median(vless) + " s " + spread(vless));
        row("V2Fly: XrayDriver.addAll of " + n(users) + " VMess users to a started core", "< 5 s",
                median(vmess) + " s " + spread(vmess));
        row("V2Fly: Reconciler.snapshot of " + n(users) + " VLESS users (the agent's path: diff, addAll,"
                + " bookkeeping)", "< 5 s", median(snapshots) + " s " + spread(snapshots));
        row("Reconciler holding " + n(users) + " desired users after the snapshot: heap it retains (this JVM's heap"
                + " after a full GC, with it and without)", "", String.format("%.1f MB", retained / 1048576.0));
        row("V2Fly: add() one user at a time, " + n(users) + " VLESS / VMess users (before; one run each)", "",
                String.format("%.2f s / %.2f s", oneByOne, vmessOneByOne));
        row("V2Fly: counters() of " + n(users) + " users with traffic (QueryStats, " + n(2 * users) + " stats)", "",
                millis(counterReads) + " ms (median of " + counterReads.size() + ")");
    }

    /** The path before addAll: one blocking call per user. */
    private static double oneByOne(XrayDriver driver, List<Credential> list) throws EngineException {
        long started = System.nanoTime();
        for (Credential c : list) {
            if (driver.add(c) != Applied.APPLIED) {
                throw new IllegalStateException("one by one: " + c.getCredentialId() + " not applied");
            }
        }
        return seconds(started);
    }

    private XrayDriver startCore(Path work, int n, NodeConfig config) throws EngineException {
        XrayDriver driver = new XrayDriver(CoreSettings.of(CoreFlavour.V2FLY, work.resolve("core" + n))
                .withBinary(Path.of("/usr/bin/v2ray")).withListen("127.0.0.1"));
        if (!driver.configure(config)) {
            driver.close();
            throw new IllegalStateException("the core did not start");
        }
        return driver;
    }

    private static double timedAddAll(EngineDriver driver, List<Credential> list) {
        long started = System.nanoTime();
        Map<String, AddResult> results = driver.addAll(list);
        double took = seconds(started);
        requireAllApplied(driver.engine(), results, list.size());
        return took;
    }

    private static void requireAllApplied(Engine engine, Map<String, AddResult> results, int expected) {
        long applied = results.values().stream().filter(r -> r.applied() == Applied.APPLIED).count();
        if (applied != expected) {
            String first = results.entrySet().stream().filter(e -> !e.getValue().ok()).findFirst()
                    .map(e -> e.getKey() + ": " + e.getValue().failure()).orElse("none failed");
            throw new IllegalStateException(engine + ": " + applied + " of " + expected + " applied (" + first + ")");
        }
    }

    /** A reconciler over the one driver, with its sampler's state in {@code state}, as the agent makes it. */
    private Reconciler reconciler(Path state, EngineDriver driver) throws IOException {
        Files.createDirectories(state);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SampleLog log = new SampleLog(state.resolve("buffer"), 1 << 30, Duration.ofDays(7), Clock.systemUTC(), meters);
        buffers.add(log);
        return new Reconciler(List.of(driver), new Sampler(state, log, Clock.systemUTC(), meters), meters);
    }

    /** A whole desired state through the reconciler, as the agent applies a snapshot; the core already runs. */
    private static double timedSnapshot(Reconciler reconciler, NodeConfig config, List<Credential> list) {
        long started = System.nanoTime();
        var applied = reconciler.snapshot(1, config, list);
        double took = seconds(started);
        if (applied.getFailuresCount() > 0 || reconciler.desiredCount() != list.size()) {
            throw new IllegalStateException("snapshot: " + applied.getFailuresCount() + " failures, first "
                    + applied.getFailures(0).getReason());
        }
        return took;
    }

    /** This JVM's heap in use after full collections, in bytes. */
    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private List<Credential> xrayUsers(String tag) {
        List<Credential> list = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            String id = UUID.randomUUID().toString();
            list.add(Credential.newBuilder().setCredentialId(id).setUserId(UUID.randomUUID().toString())
                    .setEngine(Engine.ENGINE_XRAY).setXray(XrayCredential.newBuilder()
                            .setUuid(UUID.randomUUID().toString()).setEmail(id).addInboundTags(tag)).build());
        }
        return list;
    }

    private static XrayInbound inbound(String tag, String protocol, int port) {
        return XrayInbound.newBuilder().setTag(tag).setProtocol(protocol).setPort(port).setNetwork("tcp")
                .setSecurity("none").build();
    }

    /**
     * One short exchange through the core per VLESS user, so that the core has counters for every
     * one of them (it makes a user's counters at the user's first connection). Speaks VLESS itself:
     * version 0, the user's UUID, no addons, TCP to 127.0.0.1:PORT, then the payload.
     */
    private static int trafficThroughEveryUser(int vlessPort, List<Credential> list) throws Exception {
        try (ServerSocket target = new ServerSocket(0, 512, java.net.InetAddress.getLoopbackAddress())) {
            ExecutorService server = Executors.newFixedThreadPool(8);
            Thread acceptor = new Thread(() -> {
                while (!target.isClosed()) {
                    try {
                        Socket s = target.accept();
                        server.execute(() -> answer(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<Boolean>> done = new ArrayList<>();
            for (Credential c : list) {
                done.add(clients.submit(() -> vlessExchange(vlessPort, target.getLocalPort(), c.getXray().getUuid())));
            }
            int ok = 0;
            for (Future<Boolean> f : done) {
                ok += f.get() ? 1 : 0;
            }
            clients.shutdown();
            server.shutdownNow();
            if (ok != list.size()) {
                throw new IllegalStateException("traffic went through " + ok + " of " + list.size() + " users");
            }
            return ok;
        }
    }

    private static void answer(Socket s) {
        try (s) {
            s.getInputStream().readNBytes(5);
            s.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the client gave up; its user then has no counters and the run fails on the count
        }
    }

    private static boolean vlessExchange(int vlessPort, int targetPort, String uuid) throws IOException {
        UUID id = UUID.fromString(uuid);
        ByteBuffer header = ByteBuffer.allocate(1 + 16 + 1 + 1 + 2 + 1 + 4 + 5);
        header.put((byte) 0).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .put((byte) 0).put((byte) 1).putShort((short) targetPort).put((byte) 1)
                .put(new byte[] {127, 0, 0, 1}).put("ping\n".getBytes(StandardCharsets.US_ASCII));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", vlessPort), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(header.array());
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(2 + 5); // version 0, no addons, then "pong\n"
            return reply.length == 7 && new String(reply, 2, 5, StandardCharsets.US_ASCII).equals("pong\n");
        }
    }

    // --- WireGuard ------------------------------------------------------------------------------

    private void wireguard(Path work) throws Exception {
        List<Double> adds = new ArrayList<>();
        List<Double> counterReads = new ArrayList<>();
        List<Double> parses = new ArrayList<>();
        double oneByOne;
        String dumpText;
        try (Netns ns = Netns.create("ab")) {
            List<String> prefix = List.of(ns.inside());
            for (int rep = 0; rep < reps; rep++) {
                String ifname = "ghb" + Netns.unique();
                WireGuardDriver driver = startInterface(work, prefix, ifname);
                try {
                    adds.add(timedAddAll(driver, peers(ifname, 0, users)));
                    System.out.printf("bench: wireguard repetition %d: %.2f s%n", rep + 1, adds.get(rep));
                    if (rep == reps - 1) {
                        for (int i = 0; i < reads + 3; i++) {
                            long started = System.nanoTime();
                            int counted = driver.counters().size();
                            double took = seconds(started);
                            if (counted != users) {
                                throw new IllegalStateException("counters of " + counted + " peers");
                            }
                            if (i >= 3) {
                                counterReads.add(took);
                            }
                        }
                    }
                } finally {
                    stop(driver, ifname);
                }
            }
            String ifname = "ghb" + Netns.unique();
            WireGuardDriver driver = startInterface(work, prefix, ifname);
            try {
                List<Credential> list = peers(ifname, 0, singles);
                long started = System.nanoTime();
                for (Credential c : list) {
                    driver.add(c);
                }
                oneByOne = seconds(started);
                System.out.printf("bench: wireguard one by one, %d peers: %.2f s%n", singles, oneByOne);
                requireAllApplied(Engine.ENGINE_WIREGUARD, driver.addAll(peers(ifname, singles, users - singles)),
                        users - singles);
                dumpText = Command.run(ns.inside("wg", "show", ifname, "dump"));
            } finally {
                stop(driver, ifname);
            }
        }
        for (int i = 0; i < reads + 5; i++) {
            long started = System.nanoTime();
            int parsed = WgDump.parse(dumpText).peers().size();
            double took = seconds(started);
            if (parsed != users) {
                throw new IllegalStateException("parsed " + parsed + " peers");
            }
            if (i >= 5) {
                parses.add(took);
            }
        }
        row("WireGuard: WireGuardDriver.addAll of " + n(users) + " peers with preshared keys to a wireguard-go"
                + " interface (1,000 peers per wg set)", "< 3 s", median(adds) + " s " + spread(adds));
        row("WireGuard: add() one peer at a time, " + n(singles) + " peers (before; one run)", "",
                String.format("%.2f s (%.1f ms a peer, so about %.0f s for %s)", oneByOne, 1000 * oneByOne / singles,
                        oneByOne * users / singles, n(users)));
        row("WireGuard: counters() with " + n(users) + " peers (wg show dump and parse)", "",
                millis(counterReads) + " ms (median of " + counterReads.size() + ")");
        row("WireGuard: WgDump.parse of a " + n(users) + "-peer dump (" + n(dumpText.length()) + " characters) alone",
                "< 100 ms", millis(parses) + " ms (median of " + parses.size() + ")");
    }

    private static WireGuardDriver startInterface(Path work, List<String> prefix, String ifname) throws Exception {
        WireGuardDriver driver = new WireGuardDriver(Files.createDirectories(work.resolve("wg-" + ifname)), prefix);
        driver.configure(NodeConfig.newBuilder().setWireguard(WireGuardInterface.newBuilder()
                .setInterfaceName(ifname).setListenPort(51820).setAddress("10.80.0.1/16")).build());
        return driver;
    }

    /** Closes the driver (which ends its wireguard-go); one that is still running is ended by its pid. */
    private static void stop(WireGuardDriver driver, String ifname) {
        driver.close();
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                        .filter(c -> c.contains("wireguard-go") && c.endsWith(" " + ifname)).isPresent())
                .forEach(p -> {
                    System.err.println("bench: wireguard-go for " + ifname + " (pid " + p.pid() + ") outlived its"
                            + " driver; ending it");
                    p.destroyForcibly();
                });
    }

    /** Peers numbered {@code from} on, each with its own address in 10.80.0.0/16. */
    private static List<Credential> peers(String ifname, int from, int count) {
        List<Credential> list = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            String id = UUID.randomUUID().toString();
            list.add(Credential.newBuilder().setCredentialId(id).setUserId(UUID.randomUUID().toString())
                    .setEngine(Engine.ENGINE_WIREGUARD).setWireguard(WireGuardCredential.newBuilder()
                            .setPublicKey(randomKey()).setPresharedKey(randomKey()).setInterfaceName(ifname)
                            .addAllowedIps("10.80." + (1 + i / 250) + "." + (1 + i % 250) + "/32")).build());
        }
        return list;
    }

    /** 32 random bytes in a key's spelling: wg takes any as a public or preshared key. */
    private static String randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    // --- the table ------------------------------------------------------------------------------

    private void row(String figure, String goal, String measured) {
        rows.add("| " + figure + " | " + goal + " | " + measured + " |");
    }

    static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    static String median(List<Double> seconds) {
        return String.format("%.2f", medianOf(seconds));
    }

    static String millis(List<Double> seconds) {
        return String.format("%.1f", 1000 * medianOf(seconds));
    }

    static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String spread(List<Double> seconds) {
        return String.format("(median of %d; %.2f to %.2f s)", seconds.size(),
                seconds.stream().min(Double::compare).orElseThrow(), seconds.stream().max(Double::compare).orElseThrow());
    }

    static String n(long count) {
        return String.format("%,d", count);
    }

    static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
        }
    }
}

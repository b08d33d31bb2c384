package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Command;
import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An edge server: its own network namespace joined to the host, and the node-agent jar run in it
 * as an operator runs it (enrol, then run), managing its own v2ray core and a wireguard-go
 * interface. The test reads the cores' counters itself, from inside the namespace.
 */
public final class EdgeNode implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern V2RAY_STAT = Pattern.compile(
            "name:\\s*\"user>>>[^\"]*>>>traffic>>>(uplink|downlink)\"\\s*value:\\s*(\\d+)");

    private final String name;
    private final Netns ns;
    private final String hostAddress;
    private final String address;
    private final Path state;
    private final Path log;
    private final String wireguardInterface;
    private Process agent;

    private EdgeNode(String name, Netns ns, String hostAddress, String address, Path state, Path log,
                     String wireguardInterface) {
        this.name = name;
        this.ns = ns;
        this.hostAddress = hostAddress;
        this.address = address;
        this.state = state;
        this.log = log;
        this.wireguardInterface = wireguardInterface;
    }

    /** A namespace joined to the host on {@code subnet}.0/24: the host is .1, the node .2. */
    public static EdgeNode create(String name, String subnet) throws IOException {
        for (String[] peer : new String[][] {{"v2ray", "v2ray"}, {"v2ctl", "v2ray"}, {"wireguard-go", "wireguard-go"},
                {"wg", "wireguard-tools"}, {"nft", "nftables"}}) {
            RealPeers.require(peer[0], peer[1]);
        }
        Netns ns = Netns.create("e2e");
        ns.linkToHost(subnet + ".1/24", subnet + ".2/24");
        return new EdgeNode(name, ns, subnet + ".1", subnet + ".2", Files.createTempDirectory("e2e-" + name),
                Files.createTempFile("e2e-agent-" + name, ".log"), "ghw" + Netns.unique());
    }

    private List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx160m", "-jar",
                Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent()
                        .resolve("node-agent/target/gatehouse-node-agent.jar").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code gatehouse-agent enroll}: must succeed; returns what it printed. */
    public String enroll(String api, String token, String caSha256) throws Exception {
        Path out = Files.createTempFile("e2e-enroll", ".log");
        Process p = new ProcessBuilder(java("enroll", "--api", api, "--token", token, "--ca-sha256", caSha256,
                "--state", state.toString())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(name + ": enroll failed: " + Files.readString(out));
        }
        return Files.readString(out);
    }

    /** {@code gatehouse-agent run} in the background, sampling every second. */
    public void run() throws IOException {
        agent = new ProcessBuilder(java("run", "--state", state.toString(), "--poll-interval", "1s",
                "--check-interval", "5s")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** kill -9 of the agent (its core and interface keep running, as after a crash). */
    public void killAgent() throws InterruptedException {
        agent.destroyForcibly();
        agent.waitFor(20, TimeUnit.SECONDS);
    }

    /** Drops every packet in and out of the node but its own loopback (an nft table in its namespace). */
    public void cut() {
        ns.run("nft", "add", "table", "inet", "ghcut");
        ns.run("nft", "add", "chain", "inet", "ghcut", "in", "{ type filter hook input priority -10 ; policy drop ; }");
        ns.run("nft", "add", "chain", "inet", "ghcut", "out", "{ type filter hook output priority -10 ; policy drop ; }");
        ns.run("nft", "add", "rule", "inet", "ghcut", "in", "iifname", "lo", "accept");
        ns.run("nft", "add", "rule", "inet", "ghcut", "out", "oifname", "lo", "accept");
    }

    public void restore() {
        ns.run("nft", "delete", "table", "inet", "ghcut");
    }

    /** What the node's v2ray core counted for all its users (uplink, downlink), read through its API. */
    public Bytes xrayCounted() throws IOException {
        JsonNode core = JSON.readTree(Files.readString(state.resolve("xray/core.json")));
        int port = -1;
        for (JsonNode inbound : core.path("inbounds")) {
            if ("gatehouse-api".equals(inbound.path("tag").asString())) {
                port = inbound.path("port").asInt();
            }
        }
        if (port <= 0) {
            throw new AssertionError("no API inbound in the node's core configuration: " + core);
        }
        String stats = ns.run("v2ctl", "api", "--server=127.0.0.1:" + port, "StatsService.QueryStats",
                "pattern: \"user>>>\" reset: false");
        long up = 0;
        long down = 0;
        Matcher m = V2RAY_STAT.matcher(stats);
        while (m.find()) {
            if (m.group(1).equals("uplink")) {
                up += Long.parseLong(m.group(2));
            } else {
                down += Long.parseLong(m.group(2));
            }
        }
        return new Bytes(up, down);
    }

    /** What the node's WireGuard interface counted for all its peers: received (up), sent (down). */
    public Bytes wireguardCounted() {
        long up = 0;
        long down = 0;
        String[] lines = ns.run("wg", "show", wireguardInterface, "dump").split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            if (f.length >= 7) {
                up += Long.parseLong(f[5]);
                down += Long.parseLong(f[6]);
            }
        }
        return new Bytes(up, down);
    }

    /** Whether the node's WireGuard interface exists yet (the agent made it). */
    public boolean wireguardUp() {
        return Command.succeeds(ns.inside("wg", "show", wireguardInterface));
    }

    public String name() {
        return name;
    }

    public Netns ns() {
        return ns;
    }

    /** The node's public address: where clients reach its inbounds. */
    public String address() {
        return address;
    }

    /** The host's address as the node sees it. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The agent's state folder. */
    public Path state() {
        return state;
    }

    public String wireguardInterface() {
        return wireguardInterface;
    }

    public String agentLog() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (agent != null) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        ns.killProcesses();
        ns.close();
        Files.deleteIfExists(Path.of("/var/run/wireguard", wireguardInterface + ".sock"));
    }
}

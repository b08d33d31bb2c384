package dev.gatehouse.nodeagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.nodeagent.support.AgentProcess;
import dev.gatehouse.nodeagent.support.ControlPlaneJars;
import dev.gatehouse.proto.v2ray.app.stats.command.QueryStatsRequest;
import dev.gatehouse.proto.v2ray.app.stats.command.StatsServiceGrpc;
import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RealPeers;
import dev.gatehouse.testkit.V2rayProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent jar as an operator runs it, against control-api and the collector as jars, driving a
 * v2ray core it starts itself: it enrols, applies the desired state, real traffic through a real
 * v2ray client is stored in PostgreSQL byte for byte as the core counted it, a suspended person is
 * cut off, and a kill -9 of the agent loses and repeats nothing.
 */
class ManagedV2rayAgentIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] PAGE = new byte[64 * 1024];

    private static ControlPlaneJars plane;
    private static HttpServer web;

    @TempDir
    Path state;

    @BeforeAll
    static void start() throws Exception {
        RealPeers.require("v2ray", "v2ray");
        new java.util.Random(7).nextBytes(PAGE);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/page", exchange -> {
            exchange.sendResponseHeaders(200, PAGE.length);
            exchange.getResponseBody().write(PAGE);
            exchange.close();
        });
        web.start();
        plane = ControlPlaneJars.start();
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.stop(0);
        }
        if (plane != null) {
            plane.close();
        }
    }

    /** A tenant, a loopback node with a VMess and a VLESS inbound, a plan, and its enrollment. */
    private record Node(String id, String tenant, String plan, String token, String caSha256) {
    }

    private Node node(AdminApi admin, int vmessPort, int vlessPort) throws Exception {
        return node(admin, Map.of("xray", xray(vmessPort, vlessPort)));
    }

    private static Map<String, Object> xray(int vmessPort, int vlessPort) {
        return Map.of("inbounds", List.of(
                Map.of("tag", "vmess-in", "protocol", "vmess", "port", vmessPort, "network", "tcp"),
                Map.of("tag", "vless-in", "protocol", "vless", "port", vlessPort, "network", "tcp")));
    }

    private Node node(AdminApi admin, Map<String, Object> engines) throws Exception {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 8);
        String tenant = admin.post("/tenants", Map.of("name", slug, "slug", slug)).path("id").asString();
        JsonNode created = admin.post("/nodes", Map.of("tenant_id", tenant, "name", "edge", "address", "127.0.0.1",
                "engines", engines));
        String plan = admin.post("/plans", Map.of("tenant_id", tenant, "name", "xray", "engines", List.of("xray")))
                .path("id").asString();
        return new Node(created.path("node").path("id").asString(), tenant, plan,
                created.path("enrollment_token").asString(), created.path("ca_sha256").asString());
    }

    /** A person of the node's tenant with a subscription served on the node: user id, subscription id. */
    private String[] person(AdminApi admin, Node node) throws Exception {
        return person(admin, node, node.plan());
    }

    private String[] person(AdminApi admin, Node node, String plan) throws Exception {
        String user = admin.post("/users", Map.of("tenant_id", node.tenant(), "username",
                "p" + UUID.randomUUID().toString().substring(0, 8))).path("id").asString();
        JsonNode sub = admin.post("/subscriptions", Map.of("user_id", user, "plan_id", plan,
                "strategy", "manual", "node_ids", List.of(node.id()))).path("subscription");
        return new String[] {user, sub.path("id").asString()};
    }

    private Map<String, String> env() {
        return Map.of();
    }

    private AgentProcess runAgent(int httpPort) throws Exception {
        return AgentProcess.run(env(), "--state", state.toString(), "--http-port", String.valueOf(httpPort),
                "--poll-interval", "1s", "--check-interval", "5s", "--wireguard", "false");
    }

    @Test
    void enrolsServesCountsEveryByteOnceAndCutsOffASuspendedPerson() throws Exception {
        AdminApi admin = plane.admin();
        int vmessPort = Ports.free();
        int vlessPort = Ports.free();
        Node node = node(admin, vmessPort, vlessPort);
        String[] alice = person(admin, node);

        AgentProcess.Finished wrongPin = AgentProcess.once(env(), "enroll", "--api", plane.apiBase(), "--token",
                node.token(), "--ca-sha256", "00".repeat(32), "--state", state.toString());
        assertThat(wrongPin.exitCode()).as(wrongPin.output()).isEqualTo(1);
        assertThat(wrongPin.output()).contains("does not match --ca-sha256").doesNotContain("Exception");
        assertThat(Files.exists(state.resolve("node.crt"))).isFalse();

        // The token was used by the refused attempt: a new one is needed.
        String token = admin.post("/nodes/" + node.id() + "/enrollment-token", Map.of()).path("enrollment_token")
                .asString();
        AgentProcess.Finished enrolled = AgentProcess.once(env(), "enroll", "--api", plane.apiBase(), "--token",
                token, "--ca-sha256", node.caSha256(), "--state", state.toString());
        assertThat(enrolled.exitCode()).as(enrolled.output()).isZero();
        assertThat(enrolled.output()).contains("enrolled as node " + node.id());
        assertThat(Files.getPosixFilePermissions(state.resolve("node.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        int http = Ports.free();
        AgentProcess agent = runAgent(http);
        try {
            awaitApplied(node.id(), agent);
            AgentProcess.Finished status = AgentProcess.once(env(), "status", "--state", state.toString(),
                    "--http-port", String.valueOf(http));
            assertThat(status.exitCode()).as(status.output()).isZero();
            assertThat(status.output()).contains("session        connected").contains("v2fly");

            int socks = Ports.free();
            JsonNode configs = admin.get("/users/" + alice[0] + "/configs?socks_port=" + socks).path("engines")
                    .path("xray");
            for (JsonNode artifact : configs) {
                try (V2rayProcess client = V2rayProcess.start(JSON.writeValueAsString(artifact.path("client_json")),
                        socks)) {
                    assertThat(fetch(socks)).as(artifact.path("protocol").asString() + "\n" + client.output()
                            + "\n" + agent.output()).isEqualTo(PAGE.length);
                }
            }
            String credential = credential(alice[1]);
            long counted = awaitStoredEqualsCore(alice[1], credential, agent);
            assertThat(counted).as("both pages went through, counted up and down").isGreaterThan(2L * PAGE.length);

            // kill -9 with traffic not yet sampled; the restarted agent counts it once.
            try (V2rayProcess client = V2rayProcess.start(JSON.writeValueAsString(configs.get(0)
                    .path("client_json")), socks)) {
                assertThat(fetch(socks)).isEqualTo(PAGE.length);
            }
            agent.kill();
            agent = runAgent(http);
            awaitApplied(node.id(), agent);
            long after = awaitStoredEqualsCore(alice[1], credential, agent);
            assertThat(after).isGreaterThan(counted + PAGE.length);

            // Suspended: the removal reaches the core and the client no longer gets through.
            admin.post("/subscriptions/" + alice[1] + "/suspend", Map.of("reason", "unpaid"));
            try (V2rayProcess client = V2rayProcess.start(JSON.writeValueAsString(configs.get(1)
                    .path("client_json")), socks)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int got = PAGE.length;
                while (got == PAGE.length && System.nanoTime() < deadline) {
                    got = attempt(socks);
                }
                assertThat(got).as("a suspended person gets nothing through").isNotEqualTo(PAGE.length);
            }
            // The removal was applied within a second of its arrival at the agent.
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/actuator/prometheus")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher max = java.util.regex.Pattern.compile(
                    "gatehouse_agent_apply_seconds_max\\{kind=\"diff\"[^}]*} (\\S+)").matcher(metrics);
            assertThat(max.find()).as(metrics).isTrue();
            assertThat(Double.parseDouble(max.group(1))).isPositive().isLessThan(1.0);
        } finally {
            agent.close();
        }
    }

    @Test
    void trafficDuringACollectorOutageIsBufferedAndCountedOnceAndABadCredentialBlocksNoOne() throws Exception {
        AdminApi admin = plane.admin();
        int vmessPort = Ports.free();
        int vlessPort = Ports.free();
        // The node offers WireGuard, but this agent runs without it: those credentials fail, reported.
        Node node = node(admin, Map.of("xray", xray(vmessPort, vlessPort), "wireguard",
                Map.of("interface_name", "wg0", "listen_port", Ports.free())));
        String[] alice = person(admin, node);
        String wireguardPlan = admin.post("/plans", Map.of("tenant_id", node.tenant(), "name", "wg",
                "engines", List.of("wireguard"))).path("id").asString();
        String[] bob = person(admin, node, wireguardPlan);
        AgentProcess.Finished enrolled = AgentProcess.once(env(), "enroll", "--api", plane.apiBase(), "--token",
                node.token(), "--state", state.toString());
        assertThat(enrolled.exitCode()).as(enrolled.output()).isZero();

        int http = Ports.free();
        AgentProcess agent = runAgent(http);
        try {
            awaitApplied(node.id(), agent);
            String bobsKey = query("SELECT id FROM engine_credentials WHERE subscription_id = '" + bob[1] + "'");
            assertThat(query("SELECT apply_failures::text FROM node_revisions WHERE node_id = '" + node.id() + "'"))
                    .contains(bobsKey).contains("this node runs no ENGINE_WIREGUARD engine");

            int socks = Ports.free();
            JsonNode configs = admin.get("/users/" + alice[0] + "/configs?socks_port=" + socks).path("engines")
                    .path("xray");
            String credential = credential(alice[1]);
            long before = awaitStoredEqualsCoreOrNothing(alice[1], credential, agent);

            plane.killCollector();
            try (V2rayProcess client = V2rayProcess.start(JSON.writeValueAsString(configs.get(0)
                    .path("client_json")), socks)) {
                assertThat(fetch(socks)).as("served while the panel is away").isEqualTo(PAGE.length);
                assertThat(fetch(socks)).isEqualTo(PAGE.length);
            }
            await(() -> coreCounted(credential) > before + 2L * PAGE.length, 30, agent::output);
            await(() -> buffered(http) > 0, 30, agent::output);
            plane.startCollector();
            long after = awaitStoredEqualsCore(alice[1], credential, agent);
            assertThat(after).isGreaterThan(before + 2L * PAGE.length);

            // The core dies (kill -9); the agent starts it again and gives the person back. Its counters
            // start over: what is stored afterwards is what was stored plus what the new core counted.
            long corePid = Long.parseLong(Files.readString(state.resolve("xray/core.pid")).trim());
            ProcessHandle.of(corePid).ifPresent(ProcessHandle::destroyForcibly);
            await(() -> ProcessHandle.of(Long.parseLong(Files.readString(state.resolve("xray/core.pid")).trim()))
                    .map(ProcessHandle::isAlive).orElse(false) && coreCounted(credential) >= 0
                    && !Files.readString(state.resolve("xray/core.pid")).trim().equals(String.valueOf(corePid)),
                    30, agent::output);
            try (V2rayProcess client = V2rayProcess.start(JSON.writeValueAsString(configs.get(1)
                    .path("client_json")), socks)) {
                assertThat(fetch(socks)).as("served again after the core's restart\n" + agent.output())
                        .isEqualTo(PAGE.length);
            }
            long[] seen = new long[2];
            await(() -> {
                seen[0] = Long.parseLong(query("SELECT sum(bytes_up + bytes_down) FROM traffic_events"
                        + " WHERE subscription_id = '" + alice[1] + "'"));
                seen[1] = coreCounted(credential);
                return seen[1] > PAGE.length && seen[0] == after + seen[1];
            }, 60, () -> "stored " + seen[0] + ", before " + after + ", new core " + seen[1] + "\n" + agent.output());
        } finally {
            agent.close();
        }
    }

    /** Samples on the agent's disk not yet acknowledged, as its status endpoint tells. */
    private static long buffered(int http) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/actuator/agent")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).path("buffered_samples").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Like {@link #awaitStoredEqualsCore} for a person who may not have used anything yet. */
    private long awaitStoredEqualsCoreOrNothing(String subscription, String credential, AgentProcess agent)
            throws Exception {
        long counted = coreCounted(credential);
        return counted <= 0 ? 0 : awaitStoredEqualsCore(subscription, credential, agent);
    }

    /** Waits until the node reports the desired revision applied. */
    private void awaitApplied(String node, AgentProcess agent) throws Exception {
        await(() -> query("SELECT applied_revision >= desired_revision AND applied_revision > 0 FROM node_revisions"
                + " WHERE node_id = '" + node + "'").equals("true"), 60, () -> agent.output());
    }

    private String credential(String subscription) throws Exception {
        return query("SELECT id FROM engine_credentials WHERE subscription_id = '" + subscription + "'"
                + " AND engine = 'xray'");
    }

    /**
     * Waits until the bytes stored for the subscription equal what the core counted for its
     * credential (the core read over its own API, the address taken from the agent's rendered
     * configuration), and returns them.
     */
    private long awaitStoredEqualsCore(String subscription, String credential, AgentProcess agent) throws Exception {
        long[] last = new long[2];
        await(() -> {
            last[0] = Long.parseLong(query("SELECT coalesce(sum(bytes_up + bytes_down), 0) FROM traffic_events"
                    + " WHERE subscription_id = '" + subscription + "'"));
            last[1] = coreCounted(credential);
            return last[0] > 0 && last[0] == last[1];
        }, 60, () -> "stored " + last[0] + ", core " + last[1] + "\n" + agent.output());
        assertThat(Long.parseLong(query("SELECT used_bytes_up + used_bytes_down FROM subscriptions WHERE id = '"
                + subscription + "'"))).as("the ledger agrees").isEqualTo(last[0]);
        return last[0];
    }

    private long coreCounted(String credential) {
        try {
            JsonNode config = JSON.readTree(Files.readString(renderedConfig()));
            int api = -1;
            for (JsonNode inbound : config.path("inbounds")) {
                if ("gatehouse-api".equals(inbound.path("tag").asString())) {
                    api = inbound.path("port").asInt();
                }
            }
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", api).usePlaintext().build();
            try {
                return StatsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .queryStats(QueryStatsRequest.newBuilder().setPattern("user>>>" + credential + ">>>").build())
                        .getStatList().stream().mapToLong(s -> s.getValue()).sum();
            } finally {
                channel.shutdownNow();
            }
        } catch (Exception e) {
            return -1;
        }
    }

    private Path renderedConfig() {
        return state.resolve("xray/core.json");
    }

    private String query(String sql) throws Exception {
        try (Connection c = plane.database(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? String.valueOf(rs.getObject(1)) : "";
        }
    }

    private static void await(ThrowingCondition condition, int seconds, ThrowingText why) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within " + seconds + " s: " + why.text());
    }

    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    private interface ThrowingText {
        String text() throws Exception;
    }

    /** Fetches the page through the SOCKS client, retrying while the client starts; the bytes read. */
    private static int fetch(int socks) throws Exception {
        int got = -1;
        for (int i = 0; i < 20 && got != PAGE.length; i++) {
            got = attempt(socks);
            if (got != PAGE.length) {
                Thread.sleep(250);
            }
        }
        return got;
    }

    /** One fresh connection through the client: the bytes of the page read, or -1. */
    private static int attempt(int socks) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:"
                    + web.getAddress().getPort() + "/page").toURL()
                    .openConnection(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks)));
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(2000);
            try (InputStream in = connection.getInputStream()) {
                return in.readAllBytes().length;
            }
        } catch (Exception e) {
            return -1;
        }
    }
}

package dev.gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.e2e.support.Bytes;
import dev.gatehouse.e2e.support.ControlPlane;
import dev.gatehouse.e2e.support.Curl;
import dev.gatehouse.e2e.support.EdgeNode;
import dev.gatehouse.e2e.support.Traffic;
import dev.gatehouse.e2e.support.Wait;
import dev.gatehouse.e2e.support.WireGuardPeer;
import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.V2rayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The mission, as an operator and a person live it, through the public REST API and the agent's
 * command line only: control-api, the collector and the scheduler as their jars; two edge servers,
 * each an agent in its own network namespace with a v2ray core and a wireguard-go interface; a real
 * v2ray client and a real WireGuard peer. Every byte the cores count is billed exactly, a person is
 * cut off at their limit, works again when it is raised, and a suspended tenant's people are cut off.
 */
class MissionIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MIB = 1024 * 1024;
    private static final String TUNNEL_HOST = "10.66.0.1";

    /** The third octet of the links' /24s in 198.18.0.0/15 (set aside for tests, routed through the clients' proxy). */
    private static int net;
    private static EdgeNode east;
    private static EdgeNode west;
    private static ControlPlane plane;

    @BeforeAll
    static void start() throws Exception {
        net = ThreadLocalRandom.current().nextInt(1, 250);
        east = EdgeNode.create("east", "198.18." + net);
        west = EdgeNode.create("west", "198.18." + (net + 1));
        plane = ControlPlane.start(east.hostAddress(), Map.of(
                "SPRING_APPLICATION_JSON", "{\"gatehouse\":{\"scheduler\":{\"intervals\":{\"lifecycle\":\"2s\","
                        + "\"node-health\":\"2s\",\"reconcile\":\"5s\"}}}}",
                "GATEHOUSE_NODE_OFFLINE_AFTER", "20s"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {plane, east, west}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Map<String, Object> engines(EdgeNode node, int vlessPort) {
        return Map.of("xray", Map.of("inbounds", List.of(Map.of("tag", "vless-in", "protocol", "vless",
                        "port", vlessPort, "network", "tcp"))),
                "wireguard", Map.of("interface_name", node.wireguardInterface(), "listen_port", 51820));
    }

    /** Creates the node, enrols its agent with the join token and starts it; returns the node id. */
    private static String enrol(AdminApi admin, String tenant, EdgeNode node, int vlessPort) throws Exception {
        JsonNode created = admin.post("/nodes", Map.of("tenant_id", tenant, "name", node.name(), "address",
                node.address(), "engines", engines(node, vlessPort)));
        String id = created.path("node").path("id").asString();
        String enrolled = node.enroll(plane.nodeApi(), created.path("enrollment_token").asString(),
                created.path("ca_sha256").asString());
        assertThat(enrolled).contains("enrolled as node " + id);
        node.run();
        return id;
    }

    private static void awaitInSync(AdminApi admin, String nodeId, EdgeNode node) {
        Wait.until(node.name() + " online and applying its desired state", 90, () -> {
            JsonNode health = admin.get("/nodes/" + nodeId + "/health");
            return "online".equals(health.path("status").asString()) && health.path("in_sync").asBoolean()
                    && health.path("desired_revision").asLong() > 0;
        });
    }

    private static Bytes counted() throws Exception {
        return east.xrayCounted().plus(west.xrayCounted()).plus(east.wireguardCounted()).plus(west.wireguardCounted());
    }

    private static Bytes billed(AdminApi admin, String subscription) throws Exception {
        JsonNode usage = admin.get("/traffic/usage?subscription_id=" + subscription).path("items").get(0);
        return new Bytes(usage.path("used_bytes_up").asLong(), usage.path("used_bytes_down").asLong());
    }

    private static Bytes summary(AdminApi admin, String tenant, String engine) throws Exception {
        String from = Instant.now().minusSeconds(3600).toString();
        String to = Instant.now().plusSeconds(600).toString();
        for (JsonNode row : admin.get("/traffic/summary?group_by=engine&tenant_id=" + tenant + "&from=" + from
                + "&to=" + to).path("items")) {
            if (engine.equals(row.path("key").asString())) {
                return new Bytes(row.path("bytes_up").asLong(), row.path("bytes_down").asLong());
            }
        }
        return Bytes.ZERO;
    }

    /** Waits until what the API bills equals what the cores counted, and returns it. */
    private static Bytes awaitBilledEqualsCounted(AdminApi admin, String subscription) throws Exception {
        Wait.until("the bytes billed equal the bytes the cores counted", 60,
                () -> billed(admin, subscription).equals(counted()));
        return billed(admin, subscription);
    }

    /** Waits until the billed usage has stopped moving (every sample stored) and returns it. */
    private static Bytes awaitSettled(AdminApi admin, String subscription) throws Exception {
        Bytes[] last = {billed(admin, subscription)};
        int[] still = {0};
        Wait.until("the billed usage settles", 60, () -> {
            Thread.sleep(1000);
            Bytes now = billed(admin, subscription);
            still[0] = now.equals(last[0]) ? still[0] + 1 : 0;
            last[0] = now;
            return still[0] >= 3;
        });
        return last[0];
    }

    /**
     * Passes traffic until the subscription's limit is crossed and returns the seconds from the
     * crossing (seen in the core's own counters) to the first request that no longer gets through.
     */
    private static double enforcementSeconds(AdminApi admin, String subscription, String engine, Curl curl,
                                             String server) throws Exception {
        // Nothing in flight: the limit is set 4 MiB above what is billed, and the crossing is where the
        // cores have counted 4 MiB more.
        long quota = awaitSettled(admin, subscription).total() + 4 * MIB;
        Bytes start = counted();
        admin.patch("/subscriptions/" + subscription, Map.of("quota_bytes", quota));
        AtomicLong crossedAt = new AtomicLong();
        Thread watcher = new Thread(() -> {
            while (crossedAt.get() == 0 && !Thread.currentThread().isInterrupted()) {
                try {
                    if (counted().total() - start.total() >= 4 * MIB) {
                        crossedAt.set(System.nanoTime());
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a read while the core is busy: try again
                }
            }
        });
        watcher.start();
        long cutAt = 0;
        long cutBegan = 0;
        long deadline = System.nanoTime() + 90_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                // A request that fails before the cores counted past the limit is no cut-off (a
                // tunnel re-keying, say): only one after the crossing is. The cut-off took effect
                // by the time the first refused request began (a dropped WireGuard packet makes
                // curl wait for its timeout, which is no part of the enforcement).
                long began = System.nanoTime();
                if (curl.download(server, 512 * 1024) < 512 * 1024 && crossedAt.get() != 0) {
                    cutBegan = Math.max(began, crossedAt.get());
                    cutAt = System.nanoTime();
                    break;
                }
            }
        } finally {
            watcher.interrupt();
            watcher.join();
        }
        assertThat(cutAt).as(engine + ": the person was cut off at the limit").isPositive();
        assertThat(crossedAt.get()).as(engine + ": the cores counted past the limit").isPositive();
        double seconds = (cutBegan - crossedAt.get()) / 1e9;
        System.out.printf("E2E enforcement latency %s: %.2f s to %.2f s (from the limit crossing seen in the core's"
                + " counters to the start and to the end of the first request refused)%n", engine, seconds,
                (cutAt - crossedAt.get()) / 1e9);
        assertThat(admin.get("/subscriptions/" + subscription).path("state").asString()).isEqualTo("exhausted");
        return seconds;
    }

    @Test
    void aPersonIsServedCountedToTheByteCutOffAtTheLimitAndBackWhenItIsRaised() throws Exception {
        // 1. The first admin, a tenant, a plan, a person, two nodes enrolled, a subscription on both.
        AdminApi admin = plane.bootstrap();
        String tenant = admin.post("/tenants", Map.of("name", "Acme VPN", "slug", "acme")).path("id").asString();
        String plan = admin.post("/plans", Map.of("tenant_id", tenant, "name", "Starter", "quota_bytes", 512 * MIB,
                "engines", List.of("xray", "wireguard"))).path("id").asString();
        String person = admin.post("/users", Map.of("tenant_id", tenant, "username", "alice")).path("id").asString();
        String eastId = enrol(admin, tenant, east, Ports.free());
        String westId = enrol(admin, tenant, west, Ports.free());
        JsonNode created = admin.post("/subscriptions", Map.of("user_id", person, "plan_id", plan,
                "strategy", "manual", "node_ids", List.of(eastId, westId)));
        String subscription = created.path("subscription").path("id").asString();
        awaitInSync(admin, eastId, east);
        awaitInSync(admin, westId, west);

        // 2. The person's subscription link and configurations; a real client for each engine.
        HttpResponse<String> link = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                plane.localApi() + "/sub/" + created.path("subscription_token").asString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(link.statusCode()).isEqualTo(200);
        int socks = Ports.free();
        Wait.until("WireGuard configurations once the nodes reported their keys", 60, () ->
                admin.get("/users/" + person + "/configs").path("engines").path("wireguard").size() == 2);
        JsonNode configs = admin.get("/users/" + person + "/configs?socks_port=" + socks).path("engines");
        JsonNode vless = pick(configs.path("xray"), eastId);
        JsonNode wireguard = pick(configs.path("wireguard"), westId);

        try (Traffic hostServer = Traffic.start(null, Ports.free());
             Traffic westServer = Traffic.start(west.ns(), 18080);
             V2rayProcess v2ray = V2rayProcess.start(JSON.writeValueAsString(vless.path("client_json")), socks);
             WireGuardPeer peer = WireGuardPeer.start(west, wireguard.path("wireguard_conf").asString(),
                     "198.18." + (net + 2), TUNNEL_HOST)) {
            Curl viaV2ray = Curl.viaSocks("127.0.0.1:" + socks);
            Curl viaWireGuard = Curl.inside(peer.ns());
            String hostTarget = east.hostAddress() + ":" + hostServer.port();
            String tunnelTarget = TUNNEL_HOST + ":" + westServer.port();
            for (int i = 0; i < 3; i++) {
                assertThat(viaV2ray.download(hostTarget, MIB)).as(v2ray.output()).isEqualTo(MIB);
                assertThat(viaWireGuard.download(tunnelTarget, MIB)).isEqualTo(MIB);
            }
            assertThat(viaV2ray.upload(hostTarget)).isTrue();
            assertThat(viaWireGuard.upload(tunnelTarget)).isTrue();

            // 3. Billed to the byte as the cores counted, upload and download apart, per engine.
            Bytes billed = awaitBilledEqualsCounted(admin, subscription);
            Bytes xray = east.xrayCounted().plus(west.xrayCounted());
            Bytes wg = east.wireguardCounted().plus(west.wireguardCounted());
            System.out.printf("E2E accounting: cores counted xray %d up / %d down, wireguard %d up / %d down;"
                    + " billed %d up / %d down%n", xray.up(), xray.down(), wg.up(), wg.down(), billed.up(), billed.down());
            // Three MiB down and a quarter up through each engine, with their headers and framing.
            assertThat(xray.down()).isBetween(3 * MIB, 4 * MIB);
            assertThat(xray.up()).isBetween(256 * 1024L, MIB);
            assertThat(wg.down()).isBetween(3 * MIB, 4 * MIB);
            assertThat(wg.up()).isBetween(256 * 1024L, MIB);
            Wait.until("the raw summary per engine equals the cores' counters", 30, () ->
                    summary(admin, tenant, "xray").equals(xray) && summary(admin, tenant, "wireguard").equals(wg));

            // 4. Cut off at the limit, per engine.
            String core = Files.readString(east.state().resolve("xray/core.pid")).trim();
            String wgKey = east.ns().run("wg", "show", east.wireguardInterface(), "public-key").trim();
            double xrayCut = enforcementSeconds(admin, subscription, "xray", viaV2ray, hostTarget);
            // 5. More data through the API: served again at once, no core restarted.
            admin.post("/subscriptions/bulk/add-quota", Map.of("subscription_ids", List.of(subscription),
                    "bytes", 256 * MIB));
            Wait.until("the person gets through again, on both engines", 60, () ->
                    viaV2ray.download(hostTarget, MIB) == MIB && viaWireGuard.download(tunnelTarget, MIB) == MIB);
            double wgCut = enforcementSeconds(admin, subscription, "wireguard", viaWireGuard, tunnelTarget);
            admin.post("/subscriptions/bulk/add-quota", Map.of("subscription_ids", List.of(subscription),
                    "bytes", 256 * MIB));
            Wait.until("the person gets through WireGuard again", 30,
                    () -> viaWireGuard.download(tunnelTarget, MIB) == MIB);
            assertThat(viaV2ray.download(hostTarget, MIB)).isEqualTo(MIB);
            assertThat(Files.readString(east.state().resolve("xray/core.pid")).trim()).isEqualTo(core);
            assertThat(east.ns().run("wg", "show", east.wireguardInterface(), "public-key").trim()).isEqualTo(wgKey);
            assertThat(List.of(xrayCut, wgCut)).allSatisfy(s -> assertThat(s).isLessThan(30));

            // 6. The tenant suspended: every one of its people cut off; resumed: served again.
            admin.patch("/tenants/" + tenant, Map.of("status", "suspended"));
            Wait.until("a suspended tenant's person is cut off on both engines", 30, () ->
                    viaV2ray.download(hostTarget, 256 * 1024) == 0 && viaWireGuard.download(tunnelTarget, 256 * 1024) == 0);
            admin.patch("/tenants/" + tenant, Map.of("status", "active"));
            Wait.until("a resumed tenant's person is served again", 60, () ->
                    viaV2ray.download(hostTarget, MIB) == MIB && viaWireGuard.download(tunnelTarget, MIB) == MIB);

            // A removed WireGuard peer comes back with fresh counters (the agent counted the old ones
            // before removing it): from a settled point, every byte the cores count is billed again.
            Bytes billedBefore = awaitSettled(admin, subscription);
            Bytes countedBefore = counted();
            for (int i = 0; i < 2; i++) {
                assertThat(viaV2ray.download(hostTarget, MIB)).isEqualTo(MIB);
                assertThat(viaWireGuard.download(tunnelTarget, MIB)).isEqualTo(MIB);
            }
            Wait.until("what the cores count after the cut-offs is billed to the byte", 60, () -> {
                Bytes c = counted();
                Bytes b = billed(admin, subscription);
                return b.up() - billedBefore.up() == c.up() - countedBefore.up()
                        && b.down() - billedBefore.down() == c.down() - countedBefore.down();
            });
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- east agent\n" + tail(east.agentLog()) + "\n--- west agent\n"
                    + tail(west.agentLog()) + "\n--- collector\n" + plane.collector().tail(), e);
        }
    }

    private static JsonNode pick(JsonNode artifacts, String nodeId) {
        List<String> seen = new ArrayList<>();
        for (JsonNode a : artifacts) {
            if (nodeId.equals(a.path("node_id").asString())) {
                return a;
            }
            seen.add(a.path("node_id").asString());
        }
        throw new AssertionError("no configuration for node " + nodeId + " among " + seen);
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}

package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AddUserOperation;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AlterInboundRequest;
import dev.gatehouse.proto.v2ray.app.proxyman.command.HandlerServiceGrpc;
import dev.gatehouse.proto.v2ray.app.stats.command.QueryStatsRequest;
import dev.gatehouse.proto.v2ray.app.stats.command.StatsServiceGrpc;
import dev.gatehouse.proto.v2ray.common.protocol.User;
import dev.gatehouse.proto.v2ray.common.serial.TypedMessage;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.V2rayProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client JSON Gatehouse generates, run by the real v2ray core as a client, connects through a
 * real v2ray server whose inbounds carry the person (vmess and vless), and fetches a page served on
 * loopback. The server's per-user counters prove the bytes went through the tunnel.
 */
class RealClientIT extends ControlApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void vmessAndVlessClientConfigsConnectThroughARealServer() throws Exception {
        int api = Ports.free();
        int vmessPort = Ports.free();
        int vlessPort = Ports.free();
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/hello", exchange -> {
            byte[] body = "hello through gatehouse".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        web.start();
        String serverConfig = """
                {"stats": {}, "api": {"tag": "api", "services": ["HandlerService", "StatsService"]},
                 "policy": {"levels": {"0": {"statsUserUplink": true, "statsUserDownlink": true}}},
                 "inbounds": [
                   {"tag": "api", "listen": "127.0.0.1", "port": %d, "protocol": "dokodemo-door",
                    "settings": {"address": "127.0.0.1"}},
                   {"tag": "vmess-in", "listen": "127.0.0.1", "port": %d, "protocol": "vmess", "settings": {"clients": []}},
                   {"tag": "vless-in", "listen": "127.0.0.1", "port": %d, "protocol": "vless",
                    "settings": {"clients": [], "decryption": "none"}}],
                 "outbounds": [{"protocol": "freedom", "tag": "direct"}],
                 "routing": {"rules": [{"type": "field", "inboundTag": ["api"], "outboundTag": "api"}]}}
                """.formatted(api, vmessPort, vlessPort);

        Tenant tenant = newTenant();
        enrolledNode(map("tenant_id", tenant.id(), "name", "loopback", "address", "127.0.0.1",
                "engines", map("xray", map("inbounds", List.of(
                        map("tag", "vmess-in", "protocol", "vmess", "port", vmessPort, "network", "tcp"),
                        map("tag", "vless-in", "protocol", "vless", "port", vlessPort, "network", "tcp"))))));
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "xray", "engines", List.of("xray")))
                .text("id");
        JsonNode sub = subscribe(tenant, plan).path("subscription");
        String user = sub.path("user_id").asString();
        int socks = Ports.free();
        JsonNode configs = root.get("/users/" + user + "/configs?socks_port=" + socks).json().path("engines");
        JsonNode xray = configs.path("xray");
        assertThat(xray.size()).isEqualTo(2);
        assertThat(configs.has("wireguard")).isFalse();

        try (V2rayProcess server = V2rayProcess.start(serverConfig, api)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", api).usePlaintext().build();
            try {
                for (JsonNode artifact : xray) {
                    String protocol = artifact.path("protocol").asString();
                    String uuid = artifact.path("client_json").path("outbounds").get(0).path("settings")
                            .path("vnext").get(0).path("users").get(0).path("id").asString();
                    String email = protocol + "@gatehouse.test";
                    Message account = protocol.equals("vmess")
                            ? dev.gatehouse.proto.v2ray.proxy.vmess.Account.newBuilder().setId(uuid).setAlterId(0).build()
                            : dev.gatehouse.proto.v2ray.proxy.vless.Account.newBuilder().setId(uuid).build();
                    HandlerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .alterInbound(AlterInboundRequest.newBuilder().setTag(protocol + "-in")
                                    .setOperation(typed(AddUserOperation.newBuilder().setUser(User.newBuilder()
                                            .setEmail(email).setAccount(typed(account))).build())).build());

                    String clientConfig = JSON.writeValueAsString(artifact.path("client_json"));
                    try (V2rayProcess client = V2rayProcess.start(clientConfig, socks)) {
                        assertThat(fetchThroughSocks(socks, web.getAddress().getPort()))
                                .as(protocol + "\n" + client.output() + "\n" + server.output())
                                .isEqualTo("hello through gatehouse");
                    }
                    var stats = StatsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .queryStats(QueryStatsRequest.newBuilder().setPattern("user>>>" + email + ">>>").build());
                    long bytes = stats.getStatList().stream().mapToLong(s -> s.getValue()).sum();
                    assertThat(bytes).as(protocol + " bytes counted by the server").isPositive();
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            web.stop(0);
        }

        // Suspended: no config is handed out any more.
        root.post("/subscriptions/" + sub.path("id").asString() + "/suspend", null);
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").size()).isZero();
    }

    private static String fetchThroughSocks(int socksPort, int webPort) throws Exception {
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort));
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + webPort + "/hello")
                        .toURL().openConnection(proxy);
                connection.setConnectTimeout(3000);
                connection.setReadTimeout(5000);
                try (InputStream in = connection.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (Exception e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw last;
    }

    private static TypedMessage typed(Message message) {
        return TypedMessage.newBuilder().setType(message.getDescriptorForType().getFullName())
                .setValue(message.toByteString()).build();
    }

}

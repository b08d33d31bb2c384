package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The managed core's configuration as rendered from a node configuration. */
class CoreConfigTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final CoreSettings XRAY = CoreSettings.of(CoreFlavour.XRAY, Path.of("/var/lib/gatehouse/core"))
            .withTls(Path.of("/etc/gatehouse/node.crt"), Path.of("/etc/gatehouse/node.key"));

    private static final NodeConfig NODE = NodeConfig.newBuilder()
            .addXrayInbounds(XrayInbound.newBuilder().setTag("vmess-in").setProtocol("vmess").setPort(10086)
                    .setNetwork("tcp").setSecurity("none"))
            .addXrayInbounds(XrayInbound.newBuilder().setTag("vless-ws").setProtocol("vless").setPort(10087)
                    .setNetwork("ws").setWsPath("/tunnel").setWsHost("cdn.example.net").setSecurity("tls")
                    .setServerName("edge.example.net").addAlpn("h2").addAlpn("http/1.1"))
            .addXrayInbounds(XrayInbound.newBuilder().setTag("trojan-grpc").setProtocol("trojan").setPort(10088)
                    .setNetwork("grpc").setGrpcServiceName("svc").setSecurity("tls"))
            .addXrayInbounds(XrayInbound.newBuilder().setTag("ss").setProtocol("shadowsocks").setPort(10089)
                    .setShadowsocksMethod("aes-256-gcm"))
            .build();

    private static JsonNode render(NodeConfig node, CoreSettings settings) {
        Inbounds inbounds = Inbounds.managed(node, settings.flavour(), settings.tls() != null, CoreConfig.API_TAG);
        return JSON.readTree(CoreConfig.render(inbounds, settings, 41000));
    }

    @Test
    void aRealityInboundCarriesTheNodesOwnPrivateKeyAndBorrowsItsServerName() {
        NodeConfig node = NodeConfig.newBuilder().addXrayInbounds(XrayInbound.newBuilder().setTag("vless-reality")
                .setProtocol("vless").setPort(443).setNetwork("tcp").setSecurity("reality")
                .setFlow("xtls-rprx-vision").setServerName("www.example.com").setRealityShortId("6ba85179e30d4fc2"))
                .build();
        RealityKey key = new RealityKey("private-of-the-node", "public-of-the-node");
        Inbounds inbounds = Inbounds.managed(node, CoreFlavour.XRAY, false, CoreConfig.API_TAG);
        JsonNode reality = JSON.readTree(CoreConfig.render(inbounds, XRAY, 41000, key)).path("inbounds").get(1)
                .path("streamSettings");
        assertThat(reality.path("security").asString()).isEqualTo("reality");
        assertThat(reality.path("realitySettings").path("privateKey").asString()).isEqualTo("private-of-the-node");
        assertThat(reality.path("realitySettings").path("dest").asString()).isEqualTo("www.example.com:443");
        assertThat(reality.path("realitySettings").path("serverNames").toString()).isEqualTo("[\"www.example.com\"]");
        assertThat(reality.path("realitySettings").path("shortIds").toString()).isEqualTo("[\"6ba85179e30d4fc2\"]");

        assertThat(Inbounds.managed(node, CoreFlavour.V2FLY, false, CoreConfig.API_TAG).refused())
                .containsEntry("vless-reality", "V2Fly has no REALITY");
    }

    @Test
    void theApiListensOnLoopbackAndCountsEveryUsersTraffic() {
        JsonNode root = render(NODE, XRAY);

        JsonNode api = root.path("inbounds").get(0);
        assertThat(api.path("tag").asString()).isEqualTo("gatehouse-api");
        assertThat(api.path("listen").asString()).isEqualTo("127.0.0.1");
        assertThat(api.path("port").asInt()).isEqualTo(41000);
        assertThat(api.path("protocol").asString()).isEqualTo("dokodemo-door");
        assertThat(root.path("api").path("services").toString()).isEqualTo("[\"HandlerService\",\"StatsService\"]");
        assertThat(root.path("stats").isObject()).isTrue();
        assertThat(root.path("policy").path("levels").path("0").path("statsUserUplink").asBoolean()).isTrue();
        assertThat(root.path("policy").path("levels").path("0").path("statsUserDownlink").asBoolean()).isTrue();
        assertThat(root.path("log").path("access").asString()).isEqualTo("none");
    }

    @Test
    void onlyTheApiInboundReachesTheApiAndNoUserReachesItsPort() {
        JsonNode root = render(NODE, XRAY);

        JsonNode rules = root.path("routing").path("rules");
        assertThat(rules.get(0).path("inboundTag").toString()).isEqualTo("[\"gatehouse-api\"]");
        assertThat(rules.get(0).path("outboundTag").asString()).isEqualTo("gatehouse-api");
        assertThat(rules.get(1).path("port").asString()).isEqualTo("41000");
        assertThat(rules.get(1).path("outboundTag").asString()).isEqualTo("gatehouse-blocked");
        assertThat(root.path("outbounds").get(0).path("protocol").asString()).as("the default outbound").isEqualTo("freedom");
        assertThat(root.path("outbounds").get(1).path("protocol").asString()).isEqualTo("blackhole");
    }

    @Test
    void eachInboundHasItsTransportSecurityAndNoUsers() {
        JsonNode inbounds = render(NODE, XRAY).path("inbounds");
        assertThat(inbounds.size()).isEqualTo(5);

        JsonNode vmess = inbounds.get(1);
        assertThat(vmess.path("tag").asString()).isEqualTo("vmess-in");
        assertThat(vmess.path("listen").asString()).isEqualTo("0.0.0.0");
        assertThat(vmess.path("port").asInt()).isEqualTo(10086);
        assertThat(vmess.path("protocol").asString()).isEqualTo("vmess");
        assertThat(vmess.path("settings").path("clients").size()).isZero();
        assertThat(vmess.path("streamSettings").path("network").asString()).isEqualTo("tcp");
        assertThat(vmess.path("streamSettings").path("security").asString()).isEqualTo("none");

        JsonNode vless = inbounds.get(2);
        assertThat(vless.path("settings").path("decryption").asString()).isEqualTo("none");
        JsonNode stream = vless.path("streamSettings");
        assertThat(stream.path("network").asString()).isEqualTo("ws");
        assertThat(stream.path("wsSettings").path("path").asString()).isEqualTo("/tunnel");
        assertThat(stream.path("wsSettings").path("headers").path("Host").asString()).isEqualTo("cdn.example.net");
        assertThat(stream.path("security").asString()).isEqualTo("tls");
        assertThat(stream.path("tlsSettings").path("serverName").asString()).isEqualTo("edge.example.net");
        assertThat(stream.path("tlsSettings").path("alpn").toString()).isEqualTo("[\"h2\",\"http/1.1\"]");
        JsonNode certificate = stream.path("tlsSettings").path("certificates").get(0);
        assertThat(certificate.path("certificateFile").asString()).isEqualTo("/etc/gatehouse/node.crt");
        assertThat(certificate.path("keyFile").asString()).isEqualTo("/etc/gatehouse/node.key");

        JsonNode trojan = inbounds.get(3);
        assertThat(trojan.path("streamSettings").path("grpcSettings").path("serviceName").asString()).isEqualTo("svc");

        JsonNode shadowsocks = inbounds.get(4);
        assertThat(shadowsocks.path("settings").path("clients").size()).isZero();
        assertThat(shadowsocks.path("settings").path("network").asString()).isEqualTo("tcp,udp");
    }

    @Test
    void refusedInboundsAreLeftOut() {
        JsonNode inbounds = render(NODE, CoreSettings.of(CoreFlavour.V2FLY, Path.of("/tmp/core")).withListen("127.0.0.1"));

        assertThat(inbounds.path("inbounds").size()).as("the API and vmess-in").isEqualTo(2);
        assertThat(inbounds.path("inbounds").get(1).path("tag").asString()).isEqualTo("vmess-in");
        assertThat(inbounds.path("inbounds").get(1).path("listen").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    void theSameInboundsRenderTheSameText() {
        Inbounds once = Inbounds.managed(NODE, CoreFlavour.XRAY, true, CoreConfig.API_TAG);
        Inbounds again = Inbounds.managed(NODE.toBuilder().build(), CoreFlavour.XRAY, true, CoreConfig.API_TAG);

        assertThat(CoreConfig.render(again, XRAY, 41000)).isEqualTo(CoreConfig.render(once, XRAY, 41000));
    }
}

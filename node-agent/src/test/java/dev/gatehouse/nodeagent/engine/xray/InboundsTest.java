package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import org.junit.jupiter.api.Test;

/** Which inbounds a core serves, and which account a credential gets on each. */
class InboundsTest {

    private static final String UUID = "0f6c1f0e-1b7a-4c0e-9d51-2b7e8e1f3a44";

    private static XrayInbound.Builder inbound(String tag, String protocol) {
        return XrayInbound.newBuilder().setTag(tag).setProtocol(protocol).setPort(443).setNetwork("tcp")
                .setSecurity("none");
    }

    private static NodeConfig node(XrayInbound.Builder... inbounds) {
        NodeConfig.Builder node = NodeConfig.newBuilder();
        for (XrayInbound.Builder inbound : inbounds) {
            node.addXrayInbounds(inbound);
        }
        return node.build();
    }

    @Test
    void v2flyServesWhatItCanRunAndNamesWhyNotTheRest() {
        Inbounds inbounds = Inbounds.managed(node(
                inbound("vmess-in", "vmess"),
                inbound("vless-ws", "vless").setNetwork("ws"),
                inbound("trojan-in", "trojan").setSecurity("tls"),
                inbound("ss-in", "shadowsocks").setShadowsocksMethod("aes-128-gcm"),
                inbound("grpc-in", "vless").setNetwork("grpc").setGrpcServiceName("s"),
                inbound("reality-in", "vless").setSecurity("reality"),
                inbound("vision-in", "vless").setFlow("xtls-rprx-vision"),
                inbound("socks-in", "socks"),
                inbound("vmess-in", "vless"),
                inbound("gatehouse-api", "vmess")), CoreFlavour.V2FLY, false, CoreConfig.API_TAG);

        assertThat(inbounds.served()).containsOnlyKeys("vmess-in", "vless-ws");
        assertThat(inbounds.refused()).containsOnlyKeys("trojan-in", "ss-in", "grpc-in", "reality-in", "vision-in",
                "socks-in", "vmess-in", "gatehouse-api");
        assertThat(inbounds.refused().get("trojan-in")).contains("certificate and key");
        assertThat(inbounds.refused().get("ss-in")).contains("Shadowsocks");
        assertThat(inbounds.refused().get("grpc-in")).contains("gRPC");
        assertThat(inbounds.refused().get("reality-in")).contains("REALITY");
        assertThat(inbounds.refused().get("vision-in")).contains("xtls-rprx-vision");
        assertThat(inbounds.refused().get("socks-in")).contains("'socks'");
        assertThat(inbounds.refused().get("vmess-in")).contains("names two inbounds");
        assertThat(inbounds.served().get("vmess-in").protocol()).as("the first of two with one tag").isEqualTo(Protocol.VMESS);
    }

    @Test
    void xrayWithCertificatesServesTlsGrpcShadowsocksVisionAndReality() {
        Inbounds inbounds = Inbounds.managed(node(
                inbound("trojan-in", "trojan").setSecurity("tls"),
                inbound("grpc-in", "vless").setNetwork("grpc").setGrpcServiceName("s"),
                inbound("vision-in", "vless").setSecurity("tls").setFlow("xtls-rprx-vision"),
                inbound("ss-in", "shadowsocks").setShadowsocksMethod("chacha20-ietf-poly1305"),
                inbound("ss-2022", "shadowsocks").setShadowsocksMethod("2022-blake3-aes-128-gcm"),
                inbound("reality-in", "vless").setSecurity("reality").setServerName("www.example.com"),
                inbound("reality-nameless", "vless").setSecurity("reality")), CoreFlavour.XRAY, true,
                CoreConfig.API_TAG);

        assertThat(inbounds.served()).containsOnlyKeys("trojan-in", "grpc-in", "vision-in", "ss-in", "reality-in");
        assertThat(inbounds.served().get("ss-in").cipher()).isEqualTo(ShadowsocksCipher.CHACHA20_POLY1305);
        assertThat(inbounds.refused()).containsOnlyKeys("ss-2022", "reality-nameless");
        assertThat(inbounds.refused().get("reality-nameless")).contains("server name");
    }

    @Test
    void anExternalCoreIsTakenAsTheOperatorConfiguredIt() {
        Inbounds inbounds = Inbounds.external(node(
                inbound("reality-in", "vless").setSecurity("reality"),
                inbound("trojan-in", "trojan").setSecurity("tls"),
                inbound("ss-in", "shadowsocks").setShadowsocksMethod("aes-128-gcm")), CoreFlavour.V2FLY);

        assertThat(inbounds.served()).containsOnlyKeys("reality-in", "trojan-in");
        assertThat(inbounds.refused()).containsOnlyKeys("ss-in");
    }

    @Test
    void requireNamesWhyATagCannotBeUsed() {
        Inbounds inbounds = Inbounds.managed(node(inbound("vmess-in", "vmess"), inbound("tls-in", "vless").setSecurity("tls")),
                CoreFlavour.V2FLY, false, CoreConfig.API_TAG);

        assertPermanent(() -> inbounds.require("nowhere"), "inbound nowhere is not in the node configuration");
        assertPermanent(() -> inbounds.require("tls-in"), "inbound tls-in is not served: security tls needs");
    }

    @Test
    void theInboundsProtocolChoosesTheAccount() throws EngineException {
        XrayCredential credential = XrayCredential.newBuilder().setUuid(UUID.toUpperCase()).setPassword("secret").build();

        assertThat(served(inbound("a", "vmess")).account(credential)).isEqualTo(Account.vmess(UUID));
        assertThat(served(inbound("a", "vless").setFlow("xtls-rprx-vision")).account(credential))
                .isEqualTo(Account.vless(UUID, "xtls-rprx-vision"));
        assertThat(served(inbound("a", "trojan")).account(credential)).isEqualTo(Account.trojan("secret"));
        assertThat(served(inbound("a", "shadowsocks").setShadowsocksMethod("aes-256-gcm")).account(credential))
                .isEqualTo(Account.shadowsocks("secret", ShadowsocksCipher.AES_256_GCM));
    }

    @Test
    void aCredentialThatDoesNotFitItsInboundIsRefused() {
        XrayCredential vision = XrayCredential.newBuilder().setUuid(UUID).setFlow("xtls-rprx-vision").build();

        assertPermanent(() -> served(inbound("vmess-in", "vmess")).account(vision),
                "flow xtls-rprx-vision is for VLESS, and inbound vmess-in is vmess");
        assertPermanent(() -> served(inbound("vless-in", "vless")).account(vision),
                "flow xtls-rprx-vision does not match inbound vless-in's flow ''");
        assertPermanent(() -> served(inbound("a", "vless")).account(XrayCredential.newBuilder().setUuid("1-2-3-4-5").build()),
                "'1-2-3-4-5' is not a UUID");
        assertPermanent(() -> served(inbound("a", "trojan")).account(XrayCredential.newBuilder().setUuid(UUID).build()),
                "no password");
    }

    private static Inbound served(XrayInbound.Builder inbound) throws EngineException {
        return Inbounds.external(node(inbound), CoreFlavour.XRAY).require(inbound.getTag());
    }

    private interface Call {
        Object run() throws EngineException;
    }

    private static void assertPermanent(Call call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).contains(message);
        });
    }
}

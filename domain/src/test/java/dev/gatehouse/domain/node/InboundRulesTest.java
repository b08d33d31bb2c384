package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InboundRulesTest {

    private static final String KEY = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw";

    private static List<String> problems(String inboundsJson) {
        return problems(inboundsJson, null);
    }

    private static List<String> problems(String inboundsJson, String wireguard) {
        NodeEngineSettings settings = NodeEngineSettings.parse("{\"xray\": {\"inbounds\": [" + inboundsJson + "]}"
                + (wireguard == null ? "" : ", \"wireguard\": " + wireguard) + "}");
        return InboundRules.check(settings).stream().map(p -> p.field() + ": " + p.message()).toList();
    }

    @Test
    void theCommonInboundsPass() {
        assertThat(problems("""
                {"tag": "a", "protocol": "vless", "port": 443, "security": "reality", "flow": "xtls-rprx-vision",
                 "reality": {"server_name": "www.example.com", "public_key": "%s", "short_id": "6ba85179e30d4fc2"}},
                {"tag": "b", "protocol": "vmess", "port": 8443, "network": "ws", "ws": {"path": "/v"},
                 "security": "tls", "tls": {"server_name": "cdn.example.net", "alpn": ["h2"]}},
                {"tag": "c", "protocol": "trojan", "port": 2083, "security": "tls"},
                {"tag": "d", "protocol": "vless", "port": 2096, "network": "grpc", "grpc": {"service_name": "g"},
                 "security": "tls"},
                {"tag": "e", "protocol": "shadowsocks", "port": 8388, "shadowsocks": {"method": "aes-256-gcm"}},
                {"tag": "f", "protocol": "vless", "port": 80}""".formatted(KEY))).isEmpty();
    }

    @Test
    void realityIsForVlessAndNeedsAServerNameAndAWellFormedKeyIfOneIsGiven() {
        assertThat(problems("{\"tag\": \"a\", \"protocol\": \"vmess\", \"port\": 443, \"security\": \"reality\"}"))
                .contains("engines.xray.inbounds[0].security: reality is for vless only");
        assertThat(problems("{\"tag\": \"a\", \"protocol\": \"shadowsocks\", \"port\": 443, \"security\": \"reality\","
                + " \"shadowsocks\": {\"method\": \"aes-128-gcm\"}}"))
                .contains("engines.xray.inbounds[0].security: must be none for shadowsocks, which encrypts itself");
        assertThat(problems("{\"tag\": \"a\", \"protocol\": \"vless\", \"port\": 443, \"security\": \"reality\","
                + " \"reality\": {\"server_name\": \"x.example\"}}")).as("the node's agent makes the key").isEmpty();
        assertThat(problems("{\"tag\": \"a\", \"protocol\": \"vless\", \"port\": 443, \"security\": \"reality\","
                + " \"reality\": {\"server_name\": \"x.example\", \"public_key\": \"short\"}}")).singleElement()
                .asString().startsWith("engines.xray.inbounds[0].reality.public_key: must be the server's X25519");
        assertThat(problems("{\"tag\": \"a\", \"protocol\": \"vless\", \"port\": 443, \"security\": \"reality\","
                + " \"reality\": {\"public_key\": \"" + KEY + "\", \"short_id\": \"xyz\"}}"))
                .containsExactlyInAnyOrder("engines.xray.inbounds[0].reality.server_name: is required with security"
                        + " reality", "engines.xray.inbounds[0].reality.short_id: must be 0 to 16 lower-case hex"
                        + " digits, an even number");
    }

    @Test
    void shadowsocksNeedsAKnownMethodAndNoTls() {
        assertThat(problems("{\"tag\": \"s\", \"protocol\": \"shadowsocks\", \"port\": 8388}")).singleElement()
                .asString().startsWith("engines.xray.inbounds[0].shadowsocks.method: is required");
        assertThat(problems("{\"tag\": \"s\", \"protocol\": \"shadowsocks\", \"port\": 8388, \"security\": \"tls\","
                + " \"shadowsocks\": {\"method\": \"aes-128-gcm\"}}")).singleElement().asString()
                .contains("must be none for shadowsocks");
    }

    @Test
    void visionNeedsVlessOverTcpWithTlsOrReality() {
        assertThat(problems("{\"tag\": \"v\", \"protocol\": \"vless\", \"port\": 443, \"flow\": \"xtls-rprx-vision\"}"))
                .containsExactly("engines.xray.inbounds[0].flow: xtls-rprx-vision needs vless over tcp with tls or"
                        + " reality");
        assertThat(problems("{\"tag\": \"v\", \"protocol\": \"vless\", \"port\": 443, \"network\": \"ws\","
                + " \"security\": \"tls\", \"flow\": \"xtls-rprx-vision\"}")).hasSize(1);
    }

    @Test
    void trojanNeedsTlsAndPartsMustMatchTheirTransportAndSecurity() {
        assertThat(problems("{\"tag\": \"t\", \"protocol\": \"trojan\", \"port\": 443}"))
                .containsExactly("engines.xray.inbounds[0].security: must be tls for trojan (clients refuse it without)");
        assertThat(problems("{\"tag\": \"t\", \"protocol\": \"vmess\", \"port\": 443, \"ws\": {\"path\": \"/x\"},"
                + " \"tls\": {\"server_name\": \"a\"}}"))
                .containsExactlyInAnyOrder("engines.xray.inbounds[0].ws: is only for network ws",
                        "engines.xray.inbounds[0].tls: is only for security tls");
        assertThat(problems("{\"tag\": \"g\", \"protocol\": \"vmess\", \"port\": 443, \"network\": \"grpc\"}"))
                .containsExactly("engines.xray.inbounds[0].grpc.service_name: is required with network grpc");
    }

    @Test
    void twoInboundsOnOnePortOrWithOneTagAreRefused() {
        assertThat(problems("""
                {"tag": "a", "protocol": "vless", "port": 443},
                {"tag": "a", "protocol": "vmess", "port": 443}""")).containsExactly(
                "engines.xray.inbounds[1].tag: is used by another inbound of this node",
                "engines.xray.inbounds[1].port: is used by inbound 'a' of this node");
        assertThat(problems("{\"tag\": \"s\", \"protocol\": \"shadowsocks\", \"port\": 51820,"
                + " \"shadowsocks\": {\"method\": \"aes-128-gcm\"}}", "{\"interface_name\": \"wg0\", \"listen_port\": 51820}"))
                .containsExactly("engines.xray.inbounds[0].port: shadowsocks listens on UDP too, and WireGuard uses"
                        + " this port");
    }
}

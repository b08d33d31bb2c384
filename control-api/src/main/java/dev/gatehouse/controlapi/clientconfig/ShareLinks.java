package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.node.InboundOptions.Network;
import dev.gatehouse.domain.node.InboundOptions.Security;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Share links as v2rayN, v2rayNG, Shadowrocket and Streisand import them: vless:// and trojan://
 * URIs with their query parameters, vmess:// as base64 of the v2 JSON, ss:// as SIP002. Trojan and
 * Shadowsocks use the person's Xray UUID as their password.
 */
@Component
class ShareLinks {

    private final JsonMapper json = JsonMapper.builder().build();

    String link(ClientEndpoint e) {
        ClientInbound c = ClientInbound.of(e);
        String host = hostForUri(c.address());
        return switch (c.protocol()) {
            case VLESS -> {
                Map<String, String> q = transport(c);
                q.put("encryption", "none");
                if (c.flow() != null) {
                    q.put("flow", c.flow());
                }
                yield "vless://" + c.id() + "@" + host + ":" + c.port() + "?" + query(q) + "#" + encode(e.remark());
            }
            case TROJAN -> "trojan://" + encode(c.id()) + "@" + host + ":" + c.port() + "?" + query(transport(c))
                    + "#" + encode(e.remark());
            case SHADOWSOCKS -> {
                String userInfo = Base64.getUrlEncoder().withoutPadding().encodeToString(
                        (c.method() + ":" + c.id()).getBytes(StandardCharsets.UTF_8));
                yield "ss://" + userInfo + "@" + host + ":" + c.port() + "#" + encode(e.remark());
            }
            case VMESS -> {
                // The v2 JSON of v2rayN; VMess never carries REALITY (the rules refuse it).
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("v", "2");
                v.put("ps", e.remark());
                v.put("add", c.address());
                v.put("port", String.valueOf(c.port()));
                v.put("id", c.id());
                v.put("aid", "0");
                v.put("scy", "auto");
                v.put("net", c.network().db());
                v.put("type", "none");
                v.put("host", c.host() == null ? "" : c.host());
                v.put("path", c.network() == Network.GRPC ? c.serviceName() : c.path() == null ? "" : c.path());
                v.put("tls", c.security() == Security.TLS ? "tls" : "");
                v.put("sni", c.serverName() == null ? "" : c.serverName());
                v.put("alpn", String.join(",", c.alpn()));
                v.put("fp", c.fingerprint() == null ? "" : c.fingerprint().db());
                yield "vmess://" + Base64.getEncoder().encodeToString(
                        json.writeValueAsString(v).getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /** The transport and security query parameters of vless:// and trojan:// (the de facto v2rayN keys). */
    private static Map<String, String> transport(ClientInbound c) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("type", c.network().db());
        q.put("security", c.security().db());
        put(q, "sni", c.serverName());
        put(q, "fp", c.fingerprint() == null ? null : c.fingerprint().db());
        put(q, "alpn", c.alpn().isEmpty() ? null : String.join(",", c.alpn()));
        put(q, "pbk", c.publicKey());
        put(q, "sid", c.shortId());
        put(q, "spx", c.spiderX());
        put(q, "path", c.path());
        put(q, "host", c.host());
        put(q, "serviceName", c.serviceName());
        return q;
    }

    private static void put(Map<String, String> q, String key, String value) {
        if (value != null && !value.isEmpty()) {
            q.put(key, value);
        }
    }

    private static String query(Map<String, String> q) {
        StringJoiner joiner = new StringJoiner("&");
        q.forEach((k, v) -> joiner.add(k + "=" + encode(v)));
        return joiner.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String hostForUri(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }
}

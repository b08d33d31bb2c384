package dev.gatehouse.controlapi.clientconfig;

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
        var in = e.inbound();
        String host = hostForUri(e.address());
        return switch (in.protocol()) {
            case "vless" -> {
                Map<String, String> q = transport(e);
                q.put("encryption", "none");
                if (e.xrayFlow() != null && !e.xrayFlow().isEmpty()) {
                    q.put("flow", e.xrayFlow());
                } else if (in.flow() != null && !in.flow().isEmpty()) {
                    q.put("flow", in.flow());
                }
                yield "vless://" + e.xrayId() + "@" + host + ":" + in.port() + "?" + query(q) + "#" + encode(e.remark());
            }
            case "trojan" -> "trojan://" + encode(e.xrayId().toString()) + "@" + host + ":" + in.port() + "?"
                    + query(transport(e)) + "#" + encode(e.remark());
            case "shadowsocks" -> {
                String userInfo = Base64.getUrlEncoder().withoutPadding().encodeToString(
                        (method(e) + ":" + e.xrayId()).getBytes(StandardCharsets.UTF_8));
                yield "ss://" + userInfo + "@" + host + ":" + in.port() + "#" + encode(e.remark());
            }
            case "vmess" -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("v", "2");
                v.put("ps", e.remark());
                v.put("add", e.address());
                v.put("port", String.valueOf(in.port()));
                v.put("id", e.xrayId().toString());
                v.put("aid", "0");
                v.put("scy", "auto");
                v.put("net", network(e));
                v.put("type", "none");
                v.put("host", setting(e, "host", ""));
                v.put("path", setting(e, "path", ""));
                v.put("tls", "tls".equals(in.security()) ? "tls" : "");
                v.put("sni", setting(e, "sni", ""));
                v.put("fp", setting(e, "fingerprint", ""));
                yield "vmess://" + Base64.getEncoder().encodeToString(
                        json.writeValueAsString(v).getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new IllegalArgumentException("unknown protocol " + in.protocol());
        };
    }

    static String method(ClientEndpoint e) {
        return setting(e, "method", "chacha20-ietf-poly1305");
    }

    static String network(ClientEndpoint e) {
        return e.inbound().network() == null ? "tcp" : e.inbound().network();
    }

    static String security(ClientEndpoint e) {
        return e.inbound().security() == null ? "none" : e.inbound().security();
    }

    static String setting(ClientEndpoint e, String key, String fallback) {
        Map<String, Object> settings = e.inbound().settings();
        Object value = settings == null ? null : settings.get(key);
        return value == null ? fallback : value.toString();
    }

    private static Map<String, String> transport(ClientEndpoint e) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("type", network(e));
        q.put("security", security(e));
        for (String[] pair : new String[][] {{"sni", "sni"}, {"fp", "fingerprint"}, {"pbk", "public_key"},
                {"sid", "short_id"}, {"spx", "spider_x"}, {"path", "path"}, {"host", "host"},
                {"serviceName", "service_name"}, {"alpn", "alpn"}}) {
            String value = setting(e, pair[1], null);
            if (value != null && !value.isEmpty()) {
                q.put(pair[0], value);
            }
        }
        return q;
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

package dev.gatehouse.controlapi.clientconfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * A complete Xray/V2Ray client configuration for one endpoint: a local SOCKS and HTTP proxy, the
 * outbound to the node, and direct traffic for local networks. Runs as-is in the Xray core and
 * in V2Fly 4.x (no fields either one refuses).
 */
@Component
class XrayClientConfig {

    static final int DEFAULT_SOCKS_PORT = 10808;

    Map<String, Object> render(ClientEndpoint e, int socksPort) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("log", Map.of("loglevel", "warning"));
        config.put("inbounds", List.of(
                Map.of("tag", "socks", "listen", "127.0.0.1", "port", socksPort, "protocol", "socks",
                        "settings", Map.of("udp", true, "auth", "noauth")),
                Map.of("tag", "http", "listen", "127.0.0.1", "port", socksPort + 1, "protocol", "http")));
        config.put("outbounds", List.of(outbound(e), Map.of("tag", "direct", "protocol", "freedom")));
        // Local networks stay local; written as ranges so the config needs no geoip data file.
        config.put("routing", Map.of("domainStrategy", "AsIs", "rules", List.of(
                Map.of("type", "field", "ip", LOCAL_NETWORKS, "outboundTag", "direct"))));
        return config;
    }

    private static final List<String> LOCAL_NETWORKS = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "169.254.0.0/16", "fc00::/7", "fe80::/10");

    private static Map<String, Object> outbound(ClientEndpoint e) {
        var in = e.inbound();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tag", "proxy");
        out.put("protocol", in.protocol());
        String id = e.xrayId().toString();
        switch (in.protocol()) {
            case "vless" -> out.put("settings", Map.of("vnext", List.of(Map.of("address", e.address(),
                    "port", in.port(), "users", List.of(Map.of("id", id, "encryption", "none",
                            "flow", e.xrayFlow() == null ? "" : e.xrayFlow()))))));
            case "vmess" -> out.put("settings", Map.of("vnext", List.of(Map.of("address", e.address(),
                    "port", in.port(), "users", List.of(Map.of("id", id, "alterId", 0, "security", "auto"))))));
            case "trojan" -> out.put("settings", Map.of("servers", List.of(Map.of("address", e.address(),
                    "port", in.port(), "password", id))));
            case "shadowsocks" -> out.put("settings", Map.of("servers", List.of(Map.of("address", e.address(),
                    "port", in.port(), "method", ShareLinks.method(e), "password", id))));
            default -> throw new IllegalArgumentException("unknown protocol " + in.protocol());
        }
        Map<String, Object> stream = new LinkedHashMap<>();
        stream.put("network", ShareLinks.network(e));
        String security = ShareLinks.security(e);
        stream.put("security", security);
        if ("tls".equals(security)) {
            stream.put("tlsSettings", Map.of("serverName", ShareLinks.setting(e, "sni", e.address())));
        } else if ("reality".equals(security)) {
            stream.put("realitySettings", Map.of("serverName", ShareLinks.setting(e, "sni", ""),
                    "publicKey", ShareLinks.setting(e, "public_key", ""),
                    "shortId", ShareLinks.setting(e, "short_id", ""),
                    "fingerprint", ShareLinks.setting(e, "fingerprint", "chrome")));
        }
        String path = ShareLinks.setting(e, "path", null);
        if ("ws".equals(stream.get("network")) && path != null) {
            stream.put("wsSettings", Map.of("path", path));
        }
        if ("grpc".equals(stream.get("network"))) {
            stream.put("grpcSettings", Map.of("serviceName", ShareLinks.setting(e, "service_name", "")));
        }
        out.put("streamSettings", stream);
        return out;
    }
}

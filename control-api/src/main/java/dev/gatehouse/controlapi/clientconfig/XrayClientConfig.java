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
        ClientInbound c = ClientInbound.of(e);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tag", "proxy");
        out.put("protocol", c.protocol().db());
        switch (c.protocol()) {
            case VLESS -> {
                Map<String, Object> user = new LinkedHashMap<>();
                user.put("id", c.id());
                user.put("encryption", "none");
                if (c.flow() != null) {
                    user.put("flow", c.flow());
                }
                out.put("settings", Map.of("vnext", List.of(Map.of("address", c.address(), "port", c.port(),
                        "users", List.of(user)))));
            }
            case VMESS -> out.put("settings", Map.of("vnext", List.of(Map.of("address", c.address(),
                    "port", c.port(), "users", List.of(Map.of("id", c.id(), "alterId", 0, "security", "auto"))))));
            case TROJAN -> out.put("settings", Map.of("servers", List.of(Map.of("address", c.address(),
                    "port", c.port(), "password", c.id()))));
            case SHADOWSOCKS -> out.put("settings", Map.of("servers", List.of(Map.of("address", c.address(),
                    "port", c.port(), "method", c.method(), "password", c.id()))));
        }
        Map<String, Object> stream = new LinkedHashMap<>();
        stream.put("network", c.network().db());
        stream.put("security", c.security().db());
        switch (c.security()) {
            case TLS -> {
                Map<String, Object> tls = new LinkedHashMap<>();
                tls.put("serverName", c.serverName());
                if (c.fingerprint() != null) {
                    tls.put("fingerprint", c.fingerprint().db());
                }
                if (!c.alpn().isEmpty()) {
                    tls.put("alpn", c.alpn());
                }
                stream.put("tlsSettings", tls);
            }
            case REALITY -> {
                Map<String, Object> reality = new LinkedHashMap<>();
                reality.put("serverName", c.serverName());
                reality.put("publicKey", c.publicKey());
                reality.put("shortId", c.shortId());
                reality.put("fingerprint", c.fingerprint().db());
                if (c.spiderX() != null) {
                    reality.put("spiderX", c.spiderX());
                }
                stream.put("realitySettings", reality);
            }
            case NONE -> {
            }
        }
        switch (c.network()) {
            case WS -> {
                Map<String, Object> ws = new LinkedHashMap<>();
                ws.put("path", c.path());
                if (c.host() != null) {
                    ws.put("headers", Map.of("Host", c.host()));
                }
                stream.put("wsSettings", ws);
            }
            case GRPC -> stream.put("grpcSettings", Map.of("serviceName", c.serviceName()));
            case TCP -> {
            }
        }
        out.put("streamSettings", stream);
        return out;
    }
}

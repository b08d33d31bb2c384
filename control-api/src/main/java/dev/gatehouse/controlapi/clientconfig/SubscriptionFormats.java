package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.node.InboundOptions.Network;
import dev.gatehouse.domain.node.InboundOptions.Protocol;
import dev.gatehouse.domain.node.InboundOptions.Security;
import dev.gatehouse.domain.model.Engine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every subscription format, rendered from the same endpoints: share links (plain or base64, for
 * v2rayN, v2rayNG, Shadowrocket, Streisand), Clash Meta / mihomo YAML, sing-box JSON, Xray JSON,
 * WireGuard confs and Outline's Shadowsocks access key. An empty endpoint list renders a valid,
 * empty document of the same format.
 */
@Component
class SubscriptionFormats {

    static final Set<String> FORMATS = Set.of("base64", "links", "clash", "sing-box", "xray", "wireguard",
            "outline", "html");

    private final ShareLinks links;
    private final XrayClientConfig xray;
    private final WireGuardConfig wireguard;
    private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    SubscriptionFormats(ShareLinks links, XrayClientConfig xray, WireGuardConfig wireguard) {
        this.links = links;
        this.xray = xray;
        this.wireguard = wireguard;
    }

    /** The document and its media type and file extension. */
    record Document(String body, String mediaType, String extension) {
    }

    Document render(String format, List<ClientEndpoint> endpoints) {
        return switch (format) {
            case "links" -> new Document(String.join("\n", shareLinks(endpoints)), "text/plain", "txt");
            case "base64" -> new Document(Base64.getEncoder().encodeToString(
                    String.join("\n", shareLinks(endpoints)).getBytes(StandardCharsets.UTF_8)), "text/plain", "txt");
            case "clash" -> new Document(clash(endpoints), "text/yaml", "yaml");
            case "sing-box" -> new Document(json.writeValueAsString(singBox(endpoints)), "application/json", "json");
            case "xray" -> new Document(json.writeValueAsString(endpoints.stream()
                    .filter(e -> e.engine() == Engine.XRAY)
                    .map(e -> {
                        Map<String, Object> config = new LinkedHashMap<>(xray.render(e,
                                XrayClientConfig.DEFAULT_SOCKS_PORT));
                        config.put("remarks", e.remark());
                        return config;
                    }).toList()), "application/json", "json");
            case "wireguard" -> new Document(String.join("\n", endpoints.stream()
                    .filter(e -> e.engine() == Engine.WIREGUARD).map(wireguard::render).toList()), "text/plain", "conf");
            case "outline" -> new Document(json.writeValueAsString(outline(endpoints)), "application/json", "json");
            default -> throw new IllegalArgumentException(format);
        };
    }

    List<String> shareLinks(List<ClientEndpoint> endpoints) {
        return endpoints.stream().filter(e -> e.engine() == Engine.XRAY).map(links::link).toList();
    }

    private String clash(List<ClientEndpoint> endpoints) {
        List<Map<String, Object>> proxies = new ArrayList<>();
        for (ClientEndpoint e : endpoints) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", e.remark());
            if (e.engine() == Engine.WIREGUARD) {
                p.put("type", "wireguard");
                p.put("server", e.address());
                p.put("port", e.wireguard().listenPort());
                p.put("ip", e.wgAddress());
                p.put("private-key", e.wgPrivateKey());
                p.put("public-key", e.wireguard().publicKey());
                if (e.wgPresharedKey() != null) {
                    p.put("pre-shared-key", e.wgPresharedKey());
                }
                p.put("udp", true);
            } else {
                clashProxy(ClientInbound.of(e), p);
            }
            proxies.add(p);
        }
        List<String> names = proxies.stream().map(p -> (String) p.get("name")).toList();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("mixed-port", 7890);
        doc.put("mode", "rule");
        doc.put("proxies", proxies);
        List<String> groupMembers = names.isEmpty() ? List.of("DIRECT") : names;
        doc.put("proxy-groups", List.of(Map.of("name", "Gatehouse", "type", "select", "proxies", groupMembers)));
        doc.put("rules", List.of("MATCH,Gatehouse"));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setAllowUnicode(true);
        return new Yaml(options).dump(doc);
    }

    private Map<String, Object> singBox(List<ClientEndpoint> endpoints) {
        List<Map<String, Object>> outbounds = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (ClientEndpoint e : endpoints) {
            Map<String, Object> o = new LinkedHashMap<>();
            String tag = e.remark();
            tags.add(tag);
            o.put("tag", tag);
            if (e.engine() == Engine.WIREGUARD) {
                o.put("type", "wireguard");
                o.put("server", e.address());
                o.put("server_port", e.wireguard().listenPort());
                o.put("local_address", List.of(e.wgAddress() + (e.wgAddress().contains(":") ? "/128" : "/32")));
                o.put("private_key", e.wgPrivateKey());
                o.put("peer_public_key", e.wireguard().publicKey());
                if (e.wgPresharedKey() != null) {
                    o.put("pre_shared_key", e.wgPresharedKey());
                }
            } else {
                singBoxOutbound(ClientInbound.of(e), o);
            }
            outbounds.add(o);
        }
        List<String> selectable = new ArrayList<>(tags);
        selectable.add("direct");
        outbounds.add(0, Map.of("type", "selector", "tag", "proxy", "outbounds", selectable));
        outbounds.add(Map.of("type", "direct", "tag", "direct"));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("log", Map.of("level", "warn"));
        doc.put("inbounds", List.of(Map.of("type", "mixed", "tag", "mixed-in", "listen", "127.0.0.1",
                "listen_port", 2080)));
        doc.put("outbounds", outbounds);
        doc.put("route", Map.of("final", "proxy"));
        return doc;
    }

    /** One Xray inbound as a Clash Meta (mihomo) proxy. */
    private static void clashProxy(ClientInbound c, Map<String, Object> p) {
        p.put("type", c.protocol() == Protocol.SHADOWSOCKS ? "ss" : c.protocol().db());
        p.put("server", c.address());
        p.put("port", c.port());
        p.put("udp", true);
        switch (c.protocol()) {
            case VLESS -> {
                p.put("uuid", c.id());
                if (c.flow() != null) {
                    p.put("flow", c.flow());
                }
            }
            case VMESS -> {
                p.put("uuid", c.id());
                p.put("alterId", 0);
                p.put("cipher", "auto");
            }
            case TROJAN -> p.put("password", c.id());
            case SHADOWSOCKS -> {
                p.put("cipher", c.method());
                p.put("password", c.id());
                return;
            }
        }
        p.put("network", c.network().db());
        if (c.secured()) {
            // Trojan is always TLS to mihomo; the others say so.
            if (c.protocol() != Protocol.TROJAN) {
                p.put("tls", true);
            }
            p.put(c.protocol() == Protocol.TROJAN ? "sni" : "servername", c.serverName());
            if (!c.alpn().isEmpty()) {
                p.put("alpn", c.alpn());
            }
            if (c.fingerprint() != null) {
                p.put("client-fingerprint", c.fingerprint().db());
            }
        }
        if (c.security() == Security.REALITY) {
            p.put("reality-opts", Map.of("public-key", c.publicKey(), "short-id", c.shortId()));
        }
        if (c.network() == Network.WS) {
            Map<String, Object> ws = new LinkedHashMap<>();
            ws.put("path", c.path());
            if (c.host() != null) {
                ws.put("headers", Map.of("Host", c.host()));
            }
            p.put("ws-opts", ws);
        } else if (c.network() == Network.GRPC) {
            p.put("grpc-opts", Map.of("grpc-service-name", c.serviceName()));
        }
    }

    /** One Xray inbound as a sing-box outbound. */
    private static void singBoxOutbound(ClientInbound c, Map<String, Object> o) {
        o.put("type", c.protocol().db());
        o.put("server", c.address());
        o.put("server_port", c.port());
        switch (c.protocol()) {
            case VLESS -> {
                o.put("uuid", c.id());
                if (c.flow() != null) {
                    o.put("flow", c.flow());
                }
            }
            case VMESS -> {
                o.put("uuid", c.id());
                o.put("security", "auto");
                o.put("alter_id", 0);
            }
            case TROJAN -> o.put("password", c.id());
            case SHADOWSOCKS -> {
                o.put("method", c.method());
                o.put("password", c.id());
            }
        }
        if (c.secured()) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("enabled", true);
            tls.put("server_name", c.serverName());
            if (!c.alpn().isEmpty()) {
                tls.put("alpn", c.alpn());
            }
            if (c.fingerprint() != null) {
                tls.put("utls", Map.of("enabled", true, "fingerprint", c.fingerprint().db()));
            }
            if (c.security() == Security.REALITY) {
                tls.put("reality", Map.of("enabled", true, "public_key", c.publicKey(), "short_id", c.shortId()));
            }
            o.put("tls", tls);
        }
        if (c.network() == Network.WS) {
            Map<String, Object> ws = new LinkedHashMap<>();
            ws.put("type", "ws");
            ws.put("path", c.path());
            if (c.host() != null) {
                ws.put("headers", Map.of("Host", c.host()));
            }
            o.put("transport", ws);
        } else if (c.network() == Network.GRPC) {
            o.put("transport", Map.of("type", "grpc", "service_name", c.serviceName()));
        }
    }

    /** Outline's dynamic access key: the first Shadowsocks endpoint, or an empty object. */
    private static Map<String, Object> outline(List<ClientEndpoint> endpoints) {
        return endpoints.stream()
                .filter(e -> e.engine() == Engine.XRAY && e.inbound().protocol() == Protocol.SHADOWSOCKS)
                .findFirst()
                .map(ClientInbound::of)
                .<Map<String, Object>>map(c -> Map.of("server", c.address(), "server_port", c.port(),
                        "password", c.id(), "method", c.method()))
                .orElse(Map.of());
    }
}

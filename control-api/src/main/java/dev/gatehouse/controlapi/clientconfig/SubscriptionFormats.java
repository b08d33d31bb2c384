package dev.gatehouse.controlapi.clientconfig;

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
                var in = e.inbound();
                p.put("type", "shadowsocks".equals(in.protocol()) ? "ss" : in.protocol());
                p.put("server", e.address());
                p.put("port", in.port());
                p.put("udp", true);
                switch (in.protocol()) {
                    case "vless" -> {
                        p.put("uuid", e.xrayId().toString());
                        String flow = e.xrayFlow() != null && !e.xrayFlow().isEmpty() ? e.xrayFlow() : in.flow();
                        if (flow != null && !flow.isEmpty()) {
                            p.put("flow", flow);
                        }
                    }
                    case "vmess" -> {
                        p.put("uuid", e.xrayId().toString());
                        p.put("alterId", 0);
                        p.put("cipher", "auto");
                    }
                    case "trojan" -> p.put("password", e.xrayId().toString());
                    default -> {
                        p.put("cipher", ShareLinks.method(e));
                        p.put("password", e.xrayId().toString());
                    }
                }
                if (!"shadowsocks".equals(in.protocol())) {
                    p.put("network", ShareLinks.network(e));
                    String security = ShareLinks.security(e);
                    p.put("tls", !"none".equals(security));
                    String sni = ShareLinks.setting(e, "sni", null);
                    if (sni != null) {
                        p.put("trojan".equals(in.protocol()) ? "sni" : "servername", sni);
                    }
                    if ("reality".equals(security)) {
                        p.put("reality-opts", Map.of("public-key", ShareLinks.setting(e, "public_key", ""),
                                "short-id", ShareLinks.setting(e, "short_id", "")));
                        p.put("client-fingerprint", ShareLinks.setting(e, "fingerprint", "chrome"));
                    }
                    String path = ShareLinks.setting(e, "path", null);
                    if ("ws".equals(ShareLinks.network(e)) && path != null) {
                        p.put("ws-opts", Map.of("path", path));
                    }
                }
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
                var in = e.inbound();
                o.put("type", in.protocol());
                o.put("server", e.address());
                o.put("server_port", in.port());
                switch (in.protocol()) {
                    case "vless" -> {
                        o.put("uuid", e.xrayId().toString());
                        String flow = e.xrayFlow() != null && !e.xrayFlow().isEmpty() ? e.xrayFlow() : in.flow();
                        if (flow != null && !flow.isEmpty()) {
                            o.put("flow", flow);
                        }
                    }
                    case "vmess" -> {
                        o.put("uuid", e.xrayId().toString());
                        o.put("security", "auto");
                        o.put("alter_id", 0);
                    }
                    case "trojan" -> o.put("password", e.xrayId().toString());
                    default -> {
                        o.put("method", ShareLinks.method(e));
                        o.put("password", e.xrayId().toString());
                    }
                }
                String security = ShareLinks.security(e);
                if (!"shadowsocks".equals(in.protocol()) && !"none".equals(security)) {
                    Map<String, Object> tls = new LinkedHashMap<>();
                    tls.put("enabled", true);
                    tls.put("server_name", ShareLinks.setting(e, "sni", e.address()));
                    if ("reality".equals(security)) {
                        tls.put("reality", Map.of("enabled", true, "public_key", ShareLinks.setting(e, "public_key", ""),
                                "short_id", ShareLinks.setting(e, "short_id", "")));
                        tls.put("utls", Map.of("enabled", true, "fingerprint",
                                ShareLinks.setting(e, "fingerprint", "chrome")));
                    }
                    o.put("tls", tls);
                }
                if ("ws".equals(ShareLinks.network(e))) {
                    o.put("transport", Map.of("type", "ws", "path", ShareLinks.setting(e, "path", "/")));
                } else if ("grpc".equals(ShareLinks.network(e))) {
                    o.put("transport", Map.of("type", "grpc", "service_name",
                            ShareLinks.setting(e, "service_name", "")));
                }
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

    /** Outline's dynamic access key: the first Shadowsocks endpoint, or an empty object. */
    private static Map<String, Object> outline(List<ClientEndpoint> endpoints) {
        return endpoints.stream()
                .filter(e -> e.engine() == Engine.XRAY && "shadowsocks".equals(e.inbound().protocol()))
                .findFirst()
                .<Map<String, Object>>map(e -> Map.of("server", e.address(), "server_port", e.inbound().port(),
                        "password", e.xrayId().toString(), "method", ShareLinks.method(e)))
                .orElse(Map.of());
    }
}

package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every subscription format from one model, parsed back the way client apps read it. */
class SubscriptionLinkIT extends ControlApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Subscribed(String id, String user, String token) {
    }

    private Subscribed subscribedOnAFullNode(Tenant tenant) {
        Api.Response node = root.post("/nodes", map("tenant_id", tenant.id(), "name", "fra-1",
                "address", "fra1.example.net", "engines", map(
                        "xray", map("inbounds", List.of(
                                map("tag", "vless-reality", "protocol", "vless", "port", 443, "network", "tcp",
                                        "security", "reality", "flow", "xtls-rprx-vision", "reality", map(
                                                "server_name", "www.example.com",
                                                "public_key", "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw",
                                                "short_id", "6ba85179e30d4fc2", "fingerprint", "chrome")),
                                map("tag", "vmess-ws", "protocol", "vmess", "port", 8443, "network", "ws",
                                        "ws", map("path", "/vm", "host", "cdn.example.net"),
                                        "security", "tls", "tls", map("server_name", "fra1.example.net")),
                                map("tag", "trojan-tls", "protocol", "trojan", "port", 2083, "network", "tcp",
                                        "security", "tls", "tls", map("server_name", "fra1.example.net",
                                                "fingerprint", "firefox", "alpn", List.of("h2", "http/1.1"))),
                                map("tag", "vless-grpc", "protocol", "vless", "port", 2096, "network", "grpc",
                                        "grpc", map("service_name", "gh-grpc"), "security", "tls"),
                                map("tag", "ss", "protocol", "shadowsocks", "port", 8388,
                                        "shadowsocks", map("method", "chacha20-ietf-poly1305")))),
                        "wireguard", map("interface_name", "wg0", "listen_port", 51820,
                                "public_key", "hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4=",
                                "dns", List.of("9.9.9.9")))));
        assertThat(node.status()).as(node.body()).isEqualTo(201);
        enrolled(node.json().path("node").path("id").asString());
        JsonNode created = subscribe(tenant, plan(tenant, 50_000_000_000L));
        return new Subscribed(created.path("subscription").path("id").asString(),
                created.path("subscription").path("user_id").asString(), created.path("subscription_token").asString());
    }

    @Test
    void base64ShareLinksParseBackToTheSameParameters() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        Api.Response response = anonymous.get("/sub/" + s.token());
        assertThat(response.status()).isEqualTo(200);
        String[] links = new String(Base64.getDecoder().decode(response.body().trim()), StandardCharsets.UTF_8)
                .split("\n");
        java.util.Arrays.sort(links, java.util.Comparator.comparing(l -> List.of("vless", "vmess", "trojan", "ss")
                .indexOf(l.substring(0, l.indexOf(':')))));
        assertThat(links).hasSize(5);
        links = java.util.Arrays.stream(links).filter(l -> !l.contains("vless-grpc")).toArray(String[]::new);

        URI vless = URI.create(links[0]);
        assertThat(vless.getScheme()).isEqualTo("vless");
        assertThat(vless.getHost()).isEqualTo("fra1.example.net");
        assertThat(vless.getPort()).isEqualTo(443);
        Map<String, String> q = query(vless);
        assertThat(q).containsEntry("security", "reality").containsEntry("pbk", "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw")
                .containsEntry("sid", "6ba85179e30d4fc2").containsEntry("sni", "www.example.com")
                .containsEntry("fp", "chrome").containsEntry("flow", "xtls-rprx-vision").containsEntry("type", "tcp")
                .containsEntry("encryption", "none");
        String uuid = vless.getUserInfo();

        JsonNode vmess = JSON.readTree(Base64.getDecoder().decode(links[1].substring("vmess://".length())));
        assertThat(vmess.path("id").asString()).isEqualTo(uuid);
        assertThat(vmess.path("port").asString()).isEqualTo("8443");
        assertThat(vmess.path("net").asString()).isEqualTo("ws");
        assertThat(vmess.path("path").asString()).isEqualTo("/vm");
        assertThat(vmess.path("tls").asString()).isEqualTo("tls");

        URI trojan = URI.create(links[2]);
        assertThat(trojan.getUserInfo()).isEqualTo(uuid);
        assertThat(query(trojan)).containsEntry("security", "tls").containsEntry("sni", "fra1.example.net");

        URI ss = URI.create(links[3]);
        assertThat(new String(Base64.getUrlDecoder().decode(ss.getUserInfo()), StandardCharsets.UTF_8))
                .isEqualTo("chacha20-ietf-poly1305:" + uuid);
        assertThat(ss.getPort()).isEqualTo(8388);
    }

    @Test
    void clientAppsReadTheHeadersTheyExpect() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        Api.Response response = anonymous.get("/sub/" + s.token());
        assertThat(response.header("subscription-userinfo"))
                .matches("upload=0; download=0; total=50000000000; expire=\\d{10}");
        assertThat(response.header("profile-update-interval")).isEqualTo("12");
        assertThat(new String(Base64.getDecoder().decode(response.header("profile-title").substring(7)),
                StandardCharsets.UTF_8)).startsWith("Gatehouse - vpn-");
        assertThat(response.header("content-disposition")).startsWith("attachment; filename=\"vpn-");
        assertThat(response.header("profile-web-page-url")).endsWith("/sub/" + s.token() + "?format=html");
        assertThat(response.header("cache-control")).isEqualTo("no-store");
    }

    @Test
    void clashMetaAndSingBoxGetDocumentsWithEveryFieldTheirClientsNeed() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        Api.Response clash = anonymous.withHeader("User-Agent", "ClashMeta/1.18.0").get("/sub/" + s.token());
        Map<String, Object> yaml = new Yaml().load(clash.body());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> proxies = (List<Map<String, Object>>) yaml.get("proxies");
        assertThat(proxies).extracting(p -> p.get("type")).containsExactlyInAnyOrder("vless", "vmess", "trojan",
                "vless", "ss", "wireguard");
        assertThat(ofType(proxies, "vless")).containsKeys("uuid", "server", "port", "flow", "reality-opts",
                "servername");
        assertThat(ofType(proxies, "wireguard")).containsKeys("private-key", "public-key", "ip", "pre-shared-key");
        assertThat(yaml).containsKeys("proxy-groups", "rules");

        JsonNode singBox = JSON.readTree(anonymous.withHeader("User-Agent", "SFA/1.9.0 (Android)")
                .get("/sub/" + s.token()).body());
        JsonNode outbounds = singBox.path("outbounds");
        assertThat(outbounds.get(0).path("type").asString()).isEqualTo("selector");
        assertThat(outbounds.get(0).path("outbounds").size()).isEqualTo(7);
        assertThat(outbound(outbounds, "vless").path("tls").path("reality").path("public_key").asString()).isNotEmpty();
        assertThat(outbound(outbounds, "vless").path("uuid").asString()).hasSize(36);
        assertThat(outbound(outbounds, "wireguard").path("private_key").asString()).hasSize(44);
    }

    @Test
    void xrayWireguardAndOutlineFormats() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        JsonNode xray = JSON.readTree(anonymous.get("/sub/" + s.token() + "?format=xray").body());
        assertThat(xray.size()).isEqualTo(5);
        assertThat(xray.get(0).path("outbounds").get(0).path("streamSettings").path("security").asString())
                .isEqualTo("reality");

        String wg = anonymous.withHeader("User-Agent", "WireGuard/1.0.15").get("/sub/" + s.token()).body();
        assertThat(wg).contains("[Interface]", "PrivateKey = ", "Address = 10.66.", "DNS = 9.9.9.9", "[Peer]",
                "Endpoint = fra1.example.net:51820", "AllowedIPs = 0.0.0.0/0, ::/0");

        JsonNode outline = JSON.readTree(anonymous.get("/sub/" + s.token() + "?format=outline").body());
        assertThat(outline.path("method").asString()).isEqualTo("chacha20-ietf-poly1305");
        assertThat(outline.path("server_port").asInt()).isEqualTo(8388);
    }

    @Test
    void unknownRotatedAndDeletedTokensAreNotFoundAndBadInputIsClear() {
        Tenant tenant = newTenant();
        Subscribed s = subscribedOnAFullNode(tenant);
        assertThat(anonymous.get("/sub/ghs_" + "x".repeat(43)).status()).isEqualTo(404);
        assertThat(anonymous.get("/sub/not-a-token").status()).isEqualTo(404);

        String rotated = root.post("/subscriptions/" + s.id() + "/revoke", null).text("subscription_token");
        assertThat(anonymous.get("/sub/" + s.token()).status()).isEqualTo(404);
        assertThat(anonymous.get("/sub/" + rotated).status()).isEqualTo(200);

        Api.Response bogus = anonymous.get("/sub/" + rotated + "?format=bogus%3Cscript%3E");
        assertThat(bogus.status()).isEqualTo(200);
        assertThat(bogus.header("Content-Type")).startsWith("text/plain");
        assertThat(bogus.body()).startsWith("# unknown format 'bogus?script?'; use one of [base64, clash")
                .doesNotContain("://");
        assertThat(anonymous.withHeader("User-Agent", "A".repeat(10 * 1024)).get("/sub/" + rotated).status())
                .isEqualTo(200);

        root.delete("/users/" + s.user());
        assertThat(anonymous.get("/sub/" + rotated).status()).isEqualTo(404);
    }

    @Test
    void aSuspendedOrNodelessSubscriptionGetsAValidEmptyDocument() {
        Tenant tenant = newTenant();
        Subscribed s = subscribedOnAFullNode(tenant);
        root.post("/subscriptions/" + s.id() + "/suspend", null);
        Api.Response base64 = anonymous.get("/sub/" + s.token());
        assertThat(base64.status()).isEqualTo(200);
        assertThat(base64.body()).isEmpty();
        Map<String, Object> clash = new Yaml().load(anonymous.get("/sub/" + s.token() + "?format=clash").body());
        assertThat((List<?>) clash.get("proxies")).isEmpty();
        assertThat(anonymous.get("/sub/" + s.token() + "?format=html").body()).contains("id=\"empty\"")
                .contains("suspended");

        root.post("/subscriptions/" + s.id() + "/resume", null);
        String node = root.get("/subscriptions/" + s.id()).json().path("nodes").get(0).path("node_id").asString();
        root.post("/nodes/" + node + "/disable", null);
        assertThat(anonymous.get("/sub/" + s.token()).body()).isEmpty();
    }

    @Test
    void theWireGuardQrCodeIsServedAsSvgOrPngAndRefusedWithoutWireGuard() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        Api.Response svg = root.get("/users/" + s.user() + "/wireguard/qr");
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(svg.body()).startsWith("<svg").contains("<path");

        Api.Response png = root.get("/users/" + s.user() + "/wireguard/qr?format=png");
        assertThat(png.status()).isEqualTo(200);
        assertThat(png.header("Content-Type")).isEqualTo("image/png");

        root.post("/users/" + s.user() + "/engines", map("engines", List.of("xray")));
        Api.Response refused = root.get("/users/" + s.user() + "/wireguard/qr");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        JsonNode configs = root.get("/users/" + s.user() + "/configs").json().path("engines");
        assertThat(configs.has("wireguard")).isFalse();
        assertThat(configs.path("xray").size()).isEqualTo(5);
    }

    @Test
    void aNodeWhoseAgentNeverEnrolledIsNotGivenToClients() {
        Tenant tenant = newTenant();
        Api.Response node = root.post("/nodes", map("tenant_id", tenant.id(), "name", "not-yet",
                "address", "new.example.net", "engines", map("xray", map("inbounds", List.of(
                        map("tag", "vless-in", "protocol", "vless", "port", 443))))));
        assertThat(node.json().path("node").path("status").asString()).isEqualTo("pending");
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "x", "engines", List.of("xray")))
                .text("id");
        JsonNode created = subscribe(tenant, plan);
        String token = created.path("subscription_token").asString();
        String user = created.path("subscription").path("user_id").asString();
        assertThat(anonymous.get("/sub/" + token + "?format=links").body()).isEmpty();
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").has("xray")).isFalse();

        enrolled(node.json().path("node").path("id").asString());
        assertThat(anonymous.get("/sub/" + token + "?format=links").body()).startsWith("vless://")
                .contains("@new.example.net:443");
    }

    @Test
    void everyFormatSaysTheSameOfEveryInbound() {
        Subscribed s = subscribedOnAFullNode(newTenant());
        Map<String, Map<String, String>> links = new java.util.TreeMap<>();
        for (String link : new String(Base64.getDecoder().decode(anonymous.get("/sub/" + s.token()).body().trim()),
                StandardCharsets.UTF_8).split("\n")) {
            links.put(tagOf(link), fromLink(link));
        }
        Map<String, Map<String, String>> clash = new java.util.TreeMap<>();
        Map<String, Object> yaml = new Yaml().load(anonymous.withHeader("User-Agent", "mihomo/1.19")
                .get("/sub/" + s.token()).body());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> proxies = (List<Map<String, Object>>) yaml.get("proxies");
        proxies.stream().filter(p -> !"wireguard".equals(p.get("type")))
                .forEach(p -> clash.put(tagOf((String) p.get("name")), fromClash(p)));
        Map<String, Map<String, String>> singBox = new java.util.TreeMap<>();
        for (JsonNode o : JSON.readTree(anonymous.get("/sub/" + s.token() + "?format=sing-box").body())
                .path("outbounds")) {
            if (List.of("vless", "vmess", "trojan", "shadowsocks").contains(o.path("type").asString())) {
                singBox.put(tagOf(o.path("tag").asString()), fromSingBox(o));
            }
        }
        Map<String, Map<String, String>> xray = new java.util.TreeMap<>();
        for (JsonNode config : JSON.readTree(anonymous.get("/sub/" + s.token() + "?format=xray").body())) {
            xray.put(tagOf(config.path("remarks").asString()), fromXray(config.path("outbounds").get(0)));
        }
        assertThat(links).containsOnlyKeys("vless-reality", "vmess-ws", "trojan-tls", "vless-grpc", "ss");
        assertThat(clash).isEqualTo(links);
        assertThat(singBox).isEqualTo(links);
        assertThat(xray).isEqualTo(links);
        assertThat(links.get("vless-reality")).containsEntry("flow", "xtls-rprx-vision")
                .containsEntry("pbk", "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw").containsEntry("fp", "chrome")
                .containsEntry("sni", "www.example.com");
        assertThat(links.get("vmess-ws")).containsEntry("path", "/vm").containsEntry("host", "cdn.example.net");
        assertThat(links.get("trojan-tls")).containsEntry("alpn", "h2,http/1.1").containsEntry("fp", "firefox");
        // No SNI given: the node's address, in every format.
        assertThat(links.get("vless-grpc")).containsEntry("sni", "fra1.example.net")
                .containsEntry("serviceName", "gh-grpc");
        assertThat(links.get("ss")).containsEntry("method", "chacha20-ietf-poly1305").containsEntry("security", "none");
    }

    private static String tagOf(String nameOrLink) {
        String name = nameOrLink.contains("://")
                ? (nameOrLink.startsWith("vmess://") ? JSON.readTree(Base64.getDecoder().decode(
                        nameOrLink.substring(8))).path("ps").asString()
                        : URLDecoder.decode(nameOrLink.substring(nameOrLink.indexOf('#') + 1), StandardCharsets.UTF_8))
                : nameOrLink;
        return name.substring(name.indexOf('-', name.indexOf(' ')) + 1);
    }

    /** The client-side facts of one inbound, in share-link spelling, with absent ones left out. */
    private static Map<String, String> facts(Object... keyValues) {
        Map<String, String> facts = new java.util.TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            if (value instanceof List<?> list) {
                value = list.isEmpty() ? null : String.join(",", list.stream().map(String::valueOf).toList());
            }
            if (value != null && !String.valueOf(value).isEmpty()) {
                facts.put((String) keyValues[i], String.valueOf(value));
            }
        }
        return facts;
    }

    private static Map<String, String> fromLink(String link) {
        if (link.startsWith("vmess://")) {
            JsonNode v = JSON.readTree(Base64.getDecoder().decode(link.substring(8)));
            boolean grpc = "grpc".equals(v.path("net").asString());
            return facts("network", v.path("net").asString(), "security", v.path("tls").asString().isEmpty()
                    ? "none" : v.path("tls").asString(), "sni", v.path("sni").asString(), "fp", v.path("fp").asString(),
                    "alpn", v.path("alpn").asString(), "path", grpc ? null : v.path("path").asString(),
                    "serviceName", grpc ? v.path("path").asString() : null, "host", v.path("host").asString());
        }
        URI uri = URI.create(link);
        if (link.startsWith("ss://")) {
            String userInfo = new String(Base64.getUrlDecoder().decode(uri.getUserInfo()), StandardCharsets.UTF_8);
            return facts("network", "tcp", "security", "none", "method", userInfo.substring(0, userInfo.indexOf(':')));
        }
        Map<String, String> q = query(uri);
        return facts("network", q.get("type"), "security", q.get("security"), "sni", q.get("sni"), "fp", q.get("fp"),
                "alpn", q.get("alpn"), "pbk", q.get("pbk"), "sid", q.get("sid"), "flow", q.get("flow"),
                "path", q.get("path"), "host", q.get("host"), "serviceName", q.get("serviceName"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> fromClash(Map<String, Object> p) {
        Map<String, Object> reality = (Map<String, Object>) p.get("reality-opts");
        Map<String, Object> ws = (Map<String, Object>) p.get("ws-opts");
        Map<String, Object> grpc = (Map<String, Object>) p.get("grpc-opts");
        boolean tls = Boolean.TRUE.equals(p.get("tls")) || "trojan".equals(p.get("type"));
        return facts("network", p.getOrDefault("network", "tcp"),
                "security", reality != null ? "reality" : tls ? "tls" : "none",
                "sni", p.getOrDefault("servername", p.get("sni")), "fp", p.get("client-fingerprint"),
                "alpn", p.get("alpn"), "pbk", reality == null ? null : reality.get("public-key"),
                "sid", reality == null ? null : reality.get("short-id"), "flow", p.get("flow"),
                "path", ws == null ? null : ws.get("path"),
                "host", ws == null || ws.get("headers") == null ? null : ((Map<String, Object>) ws.get("headers")).get("Host"),
                "serviceName", grpc == null ? null : grpc.get("grpc-service-name"),
                "method", "ss".equals(p.get("type")) ? p.get("cipher") : null);
    }

    private static Map<String, String> fromSingBox(JsonNode o) {
        JsonNode tls = o.path("tls");
        JsonNode transport = o.path("transport");
        boolean reality = tls.path("reality").path("enabled").asBoolean(false);
        return facts("network", transport.isMissingNode() ? "tcp" : transport.path("type").asString(),
                "security", reality ? "reality" : tls.path("enabled").asBoolean(false) ? "tls" : "none",
                "sni", text(tls.path("server_name")), "fp", text(tls.path("utls").path("fingerprint")),
                "alpn", join(tls.path("alpn")), "pbk", text(tls.path("reality").path("public_key")),
                "sid", text(tls.path("reality").path("short_id")), "flow", text(o.path("flow")),
                "path", text(transport.path("path")), "host", text(transport.path("headers").path("Host")),
                "serviceName", text(transport.path("service_name")),
                "method", "shadowsocks".equals(o.path("type").asString()) ? text(o.path("method")) : null);
    }

    private static Map<String, String> fromXray(JsonNode out) {
        JsonNode stream = out.path("streamSettings");
        JsonNode tls = stream.path("tlsSettings");
        JsonNode reality = stream.path("realitySettings");
        JsonNode settings = out.path("settings");
        return facts("network", text(stream.path("network")), "security", text(stream.path("security")),
                "sni", text(reality.isMissingNode() ? tls.path("serverName") : reality.path("serverName")),
                "fp", text(reality.isMissingNode() ? tls.path("fingerprint") : reality.path("fingerprint")),
                "alpn", join(tls.path("alpn")), "pbk", text(reality.path("publicKey")),
                "sid", text(reality.path("shortId")),
                "flow", text(settings.path("vnext").path(0).path("users").path(0).path("flow")),
                "path", text(stream.path("wsSettings").path("path")),
                "host", text(stream.path("wsSettings").path("headers").path("Host")),
                "serviceName", text(stream.path("grpcSettings").path("serviceName")),
                "method", text(settings.path("servers").path(0).path("method")));
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asString();
    }

    private static String join(JsonNode array) {
        List<String> items = new java.util.ArrayList<>();
        array.forEach(n -> items.add(n.asString()));
        return items.isEmpty() ? null : String.join(",", items);
    }

    private static Map<String, Object> ofType(List<Map<String, Object>> proxies, String type) {
        return proxies.stream().filter(p -> type.equals(p.get("type"))).findFirst().orElseThrow();
    }

    private static JsonNode outbound(JsonNode outbounds, String type) {
        for (JsonNode o : outbounds) {
            if (type.equals(o.path("type").asString())) {
                return o;
            }
        }
        throw new AssertionError("no " + type + " outbound");
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return q;
    }
}

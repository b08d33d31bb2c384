package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.proto.agent.v1.XrayInbound;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders the managed core's JSON configuration: every served inbound with no users (users come
 * and go through the API), the API inbound on loopback, per-user traffic counters, and a freedom
 * outbound. The same inbounds always render the same text, so a changed text means changed inbounds.
 */
final class CoreConfig {

    /** The API inbound's tag, and the routing target of the core's API service. */
    static final String API_TAG = "gatehouse-api";
    static final String BLOCKED_TAG = "gatehouse-blocked";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CoreConfig() {
    }

    /** The API port a rendered configuration gives the core, or -1 when the text holds none. */
    static int apiPort(String json) {
        try {
            for (var inbound : JSON.readTree(json).path("inbounds")) {
                if (API_TAG.equals(inbound.path("tag").asString())) {
                    return inbound.path("port").asInt(-1);
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String render(Inbounds inbounds, CoreSettings settings, int apiPort) {
        return render(inbounds, settings, apiPort, null);
    }

    /** With the node's REALITY key, for inbounds with security reality (Xray only). */
    static String render(Inbounds inbounds, CoreSettings settings, int apiPort, RealityKey reality) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("log").put("loglevel", "warning").put("access", "none");
        root.putObject("stats");
        ObjectNode api = root.putObject("api").put("tag", API_TAG);
        api.putArray("services").add("HandlerService").add("StatsService");
        ObjectNode level0 = root.putObject("policy").putObject("levels").putObject("0");
        level0.put("statsUserUplink", true).put("statsUserDownlink", true);

        ArrayNode in = root.putArray("inbounds");
        ObjectNode apiInbound = in.addObject().put("tag", API_TAG).put("listen", "127.0.0.1").put("port", apiPort)
                .put("protocol", "dokodemo-door");
        apiInbound.putObject("settings").put("address", "127.0.0.1");
        for (Inbound inbound : inbounds.served().values()) {
            inbound(in.addObject(), inbound, settings, reality);
        }

        ArrayNode out = root.putArray("outbounds");
        out.addObject().put("protocol", "freedom").put("tag", "direct");
        out.addObject().put("protocol", "blackhole").put("tag", BLOCKED_TAG);

        ArrayNode rules = root.putObject("routing").putArray("rules");
        ObjectNode toApi = rules.addObject().put("type", "field").put("outboundTag", API_TAG);
        toApi.putArray("inboundTag").add(API_TAG);
        // Users must not reach the API through their own tunnel (destination 127.0.0.1 or "localhost").
        rules.addObject().put("type", "field").put("port", String.valueOf(apiPort)).put("outboundTag", BLOCKED_TAG);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void inbound(ObjectNode node, Inbound inbound, CoreSettings settings, RealityKey reality) {
        XrayInbound spec = inbound.spec();
        node.put("tag", spec.getTag()).put("listen", settings.listen()).put("port", spec.getPort())
                .put("protocol", inbound.protocol().wire());
        ObjectNode protocolSettings = node.putObject("settings");
        protocolSettings.putArray("clients");
        switch (inbound.protocol()) {
            case VLESS -> protocolSettings.put("decryption", "none");
            case SHADOWSOCKS -> protocolSettings.put("network", "tcp,udp");
            case VMESS, TROJAN -> {
            }
        }

        String network = spec.getNetwork().isEmpty() ? "tcp" : spec.getNetwork();
        String security = spec.getSecurity().isEmpty() ? "none" : spec.getSecurity();
        ObjectNode stream = node.putObject("streamSettings").put("network", network).put("security", security);
        if (network.equals("ws")) {
            ObjectNode ws = stream.putObject("wsSettings").put("path", spec.getWsPath().isEmpty() ? "/" : spec.getWsPath());
            if (!spec.getWsHost().isEmpty()) {
                ws.putObject("headers").put("Host", spec.getWsHost());
            }
        } else if (network.equals("grpc")) {
            stream.putObject("grpcSettings").put("serviceName", spec.getGrpcServiceName());
        }
        if (security.equals("tls")) {
            ObjectNode tls = stream.putObject("tlsSettings");
            if (!spec.getServerName().isEmpty()) {
                tls.put("serverName", spec.getServerName());
            }
            if (spec.getAlpnCount() > 0) {
                ArrayNode alpn = tls.putArray("alpn");
                spec.getAlpnList().forEach(alpn::add);
            }
            tls.putArray("certificates").addObject()
                    .put("certificateFile", settings.tls().certificate().toAbsolutePath().toString())
                    .put("keyFile", settings.tls().key().toAbsolutePath().toString());
        }
        if (security.equals("reality") && reality != null) {
            // The server name is borrowed: handshakes of anyone without a key go on to the real site.
            ObjectNode settingsNode = stream.putObject("realitySettings").put("show", false)
                    .put("dest", spec.getServerName() + ":443").put("privateKey", reality.privateKey());
            settingsNode.putArray("serverNames").add(spec.getServerName());
            settingsNode.putArray("shortIds").add(spec.getRealityShortId());
        }
    }
}

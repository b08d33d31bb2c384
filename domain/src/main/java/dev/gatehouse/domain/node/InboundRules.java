package dev.gatehouse.domain.node;

import dev.gatehouse.domain.node.InboundOptions.Network;
import dev.gatehouse.domain.node.InboundOptions.Protocol;
import dev.gatehouse.domain.node.InboundOptions.Security;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which node configurations can be served: the rules the Xray core applies to its inbounds, plus
 * what every client format needs to express one, so that no inbound is accepted that a core
 * refuses or a client cannot use. Each problem names the field (in the API's snake_case path) and
 * says what is wrong; an empty list means the configuration is good.
 */
public final class InboundRules {

    /** A base64url X25519 public key without padding, as Xray's x25519 command prints it. */
    private static final Pattern REALITY_KEY = Pattern.compile("^[A-Za-z0-9_-]{43}$");
    private static final Pattern SHORT_ID = Pattern.compile("^([0-9a-f]{2}){0,8}$");
    private static final Set<String> ALPN = Set.of("h2", "http/1.1");

    /** One thing wrong, at {@code field}. */
    public record Problem(String field, String message) {
    }

    private InboundRules() {
    }

    public static List<Problem> check(NodeEngineSettings settings) {
        List<Problem> problems = new ArrayList<>();
        if (settings.xray() == null) {
            return problems;
        }
        List<NodeEngineSettings.Inbound> inbounds = settings.xray().inbounds();
        Map<String, Integer> tags = new HashMap<>();
        Map<Integer, String> ports = new HashMap<>();
        for (int i = 0; i < inbounds.size(); i++) {
            NodeEngineSettings.Inbound in = inbounds.get(i);
            String at = "engines.xray.inbounds[" + i + "].";
            if (in.tag() != null && tags.putIfAbsent(in.tag(), i) != null) {
                problems.add(new Problem(at + "tag", "is used by another inbound of this node"));
            }
            String other = ports.putIfAbsent(in.port(), in.tag());
            if (other != null) {
                problems.add(new Problem(at + "port", "is used by inbound '" + other + "' of this node"));
            }
            if (in.protocol() == Protocol.SHADOWSOCKS && settings.wireguard() != null
                    && settings.wireguard().listenPort() == in.port()) {
                problems.add(new Problem(at + "port", "shadowsocks listens on UDP too, and WireGuard uses this port"));
            }
            check(in, at, problems);
        }
        return problems;
    }

    /** Whether one inbound can be served; renderers leave out one that cannot (stored before these rules). */
    public static boolean servable(NodeEngineSettings.Inbound in) {
        List<Problem> problems = new ArrayList<>();
        check(in, "", problems);
        // A REALITY inbound whose key the node has not reported yet cannot be connected to.
        boolean keyKnown = in.security() != Security.REALITY
                || (in.reality() != null && in.reality().publicKey() != null);
        return problems.isEmpty() && keyKnown;
    }

    private static void check(NodeEngineSettings.Inbound in, String at, List<Problem> problems) {
        if (in.protocol() == null) {
            problems.add(new Problem(at + "protocol", "is required"));
            return;
        }
        // Transport.
        if (in.network() != Network.WS && in.ws() != null) {
            problems.add(new Problem(at + "ws", "is only for network ws"));
        }
        if (in.network() != Network.GRPC && in.grpc() != null) {
            problems.add(new Problem(at + "grpc", "is only for network grpc"));
        }
        if (in.network() == Network.GRPC && (in.grpc() == null || blank(in.grpc().serviceName()))) {
            problems.add(new Problem(at + "grpc.service_name", "is required with network grpc"));
        }
        if (in.ws() != null && in.ws().path() != null && !in.ws().path().startsWith("/")) {
            problems.add(new Problem(at + "ws.path", "must start with /"));
        }
        if (in.ws() != null) {
            length(in.ws().path(), 256, at + "ws.path", problems);
            length(in.ws().host(), 253, at + "ws.host", problems);
        }
        if (in.grpc() != null) {
            length(in.grpc().serviceName(), 128, at + "grpc.service_name", problems);
        }
        if (in.tls() != null) {
            length(in.tls().serverName(), 253, at + "tls.server_name", problems);
        }
        if (in.reality() != null) {
            length(in.reality().serverName(), 253, at + "reality.server_name", problems);
            length(in.reality().spiderX(), 256, at + "reality.spider_x", problems);
        }
        // Security.
        if (in.security() != Security.TLS && in.tls() != null) {
            problems.add(new Problem(at + "tls", "is only for security tls"));
        }
        if (in.security() != Security.REALITY && in.reality() != null) {
            problems.add(new Problem(at + "reality", "is only for security reality"));
        }
        if (in.tls() != null && in.tls().alpn() != null && !ALPN.containsAll(in.tls().alpn())) {
            problems.add(new Problem(at + "tls.alpn", "may hold h2 and http/1.1"));
        }
        switch (in.protocol()) {
            case SHADOWSOCKS -> {
                if (in.network() != Network.TCP) {
                    problems.add(new Problem(at + "network", "must be tcp for shadowsocks (clients need a plugin for"
                            + " anything else)"));
                }
                if (in.security() != Security.NONE) {
                    problems.add(new Problem(at + "security", "must be none for shadowsocks, which encrypts itself"));
                }
                if (in.shadowsocks() == null || in.shadowsocks().method() == null) {
                    problems.add(new Problem(at + "shadowsocks.method",
                            "is required: aes-128-gcm, aes-256-gcm or chacha20-ietf-poly1305"));
                }
            }
            case TROJAN -> {
                if (in.security() != Security.TLS) {
                    problems.add(new Problem(at + "security", "must be tls for trojan (clients refuse it without)"));
                }
            }
            case VMESS -> {
                if (in.security() == Security.REALITY) {
                    problems.add(new Problem(at + "security", "reality is for vless only"));
                }
            }
            case VLESS -> {
                if (in.security() == Security.REALITY && in.network() == Network.WS) {
                    problems.add(new Problem(at + "network", "must be tcp or grpc with reality"));
                }
            }
        }
        if (in.protocol() != Protocol.SHADOWSOCKS && in.shadowsocks() != null) {
            problems.add(new Problem(at + "shadowsocks", "is only for protocol shadowsocks"));
        }
        if (in.security() == Security.REALITY && in.protocol() == Protocol.VLESS) {
            checkReality(in.reality(), at + "reality.", problems);
        }
        if (in.flow() != null && (in.protocol() != Protocol.VLESS || in.network() != Network.TCP
                || in.security() == Security.NONE)) {
            problems.add(new Problem(at + "flow", "xtls-rprx-vision needs vless over tcp with tls or reality"));
        }
    }

    private static void checkReality(NodeEngineSettings.Reality reality, String at, List<Problem> problems) {
        if (reality == null || blank(reality.serverName())) {
            problems.add(new Problem(at + "server_name", "is required with security reality"));
        }
        if (reality == null) {
            return;
        }
        // Absent: the node's agent makes the key and reports its public half; clients get the
        // inbound once it has.
        if (reality.publicKey() != null && !REALITY_KEY.matcher(reality.publicKey()).matches()) {
            problems.add(new Problem(at + "public_key", "must be the server's X25519 public key, 43 base64url"
                    + " characters (xray x25519); leave it out to let the node's agent make the key"));
        }
        if (reality.shortId() != null && !SHORT_ID.matcher(reality.shortId()).matches()) {
            problems.add(new Problem(at + "short_id", "must be 0 to 16 lower-case hex digits, an even number"));
        }
        if (reality.spiderX() != null && !reality.spiderX().startsWith("/")) {
            problems.add(new Problem(at + "spider_x", "must start with /"));
        }
    }

    private static void length(String value, int max, String field, List<Problem> problems) {
        if (value != null && (value.length() > max || value.chars().anyMatch(c -> c < 0x20))) {
            problems.add(new Problem(field, "must be at most " + max + " printable characters"));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.node.InboundOptions.Fingerprint;
import dev.gatehouse.domain.node.InboundOptions.Network;
import dev.gatehouse.domain.node.InboundOptions.Protocol;
import dev.gatehouse.domain.node.InboundOptions.Security;
import dev.gatehouse.domain.node.NodeEngineSettings;
import java.util.List;

/**
 * What a client must know to use one Xray inbound, worked out once, with every default applied:
 * the share links, Clash/mihomo, sing-box and Xray JSON formats each only spell these values in
 * their own keys, so they cannot disagree (the SNI, the fingerprint, the flow, the path...).
 *
 * @param id          the person's Xray id: the VLESS/VMess UUID, and the Trojan and Shadowsocks password
 * @param serverName  TLS SNI (default: the node's address) or REALITY's server name; null without security
 * @param fingerprint uTLS fingerprint; REALITY defaults to chrome, TLS has none unless set
 * @param path        WebSocket path (default "/"); null for other transports
 * @param host        WebSocket Host header, or null
 * @param serviceName gRPC service name; null for other transports
 * @param flow        VLESS flow, or null
 * @param method      Shadowsocks cipher, or null
 */
record ClientInbound(Protocol protocol, String address, int port, String id, Network network, String path,
                     String host, String serviceName, Security security, String serverName, Fingerprint fingerprint,
                     List<String> alpn, String publicKey, String shortId, String spiderX, String flow,
                     String method) {

    static ClientInbound of(ClientEndpoint e) {
        NodeEngineSettings.Inbound in = e.inbound();
        String serverName = switch (in.security()) {
            case TLS -> in.tls() != null && in.tls().serverName() != null ? in.tls().serverName() : e.address();
            case REALITY -> in.reality().serverName();
            case NONE -> null;
        };
        Fingerprint fingerprint = switch (in.security()) {
            case TLS -> in.tls() == null ? null : in.tls().fingerprint();
            case REALITY -> in.reality().fingerprint() == null ? Fingerprint.CHROME : in.reality().fingerprint();
            case NONE -> null;
        };
        boolean reality = in.security() == Security.REALITY;
        return new ClientInbound(in.protocol(), e.address(), in.port(), e.xrayId().toString(), in.network(),
                in.network() == Network.WS ? (in.ws() == null || in.ws().path() == null ? "/" : in.ws().path()) : null,
                in.network() == Network.WS && in.ws() != null ? in.ws().host() : null,
                in.network() == Network.GRPC ? in.grpc().serviceName() : null,
                in.security(), serverName, fingerprint,
                in.security() == Security.TLS && in.tls() != null && in.tls().alpn() != null ? in.tls().alpn()
                        : List.of(),
                reality ? in.reality().publicKey() : null,
                reality ? (in.reality().shortId() == null ? "" : in.reality().shortId()) : null,
                reality ? in.reality().spiderX() : null,
                in.flow() == null ? null : in.flow().db(),
                in.shadowsocks() == null ? null : in.shadowsocks().method().db());
    }

    boolean secured() {
        return security != Security.NONE;
    }
}

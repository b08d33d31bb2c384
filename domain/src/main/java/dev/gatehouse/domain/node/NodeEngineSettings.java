package dev.gatehouse.domain.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gatehouse.domain.model.Engine;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a node's engines are configured with, as stored in {@code nodes.engines}: everything an agent
 * needs to configure its cores, and what client configurations are rendered from. This is the
 * persistence shape, apart from control-api's request records.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeEngineSettings(Xray xray, WireGuard wireguard) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    /** The Xray/V2Fly inbounds the node offers. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Xray(List<Inbound> inbounds) {
        public Xray {
            inbounds = inbounds == null ? List.of() : List.copyOf(inbounds);
        }
    }

    /**
     * One Xray inbound, typed by protocol, transport and security. {@link InboundRules} says which
     * combinations are allowed (the ones the cores and every client format accept); the parts that do
     * not apply to the combination are absent. Client configurations and the agent both read it as is.
     *
     * @param network  defaults to tcp
     * @param ws       with network ws: path (default "/") and Host header
     * @param grpc     with network grpc: the service name
     * @param security defaults to none
     * @param tls      with security tls: SNI (default the node's address), fingerprint, ALPN
     * @param reality  with security reality: server name, the server's public key, short id, fingerprint
     * @param flow     VLESS over TCP with TLS or REALITY only
     * @param shadowsocks with protocol shadowsocks: the cipher
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inbound(String tag, InboundOptions.Protocol protocol, int port, InboundOptions.Network network,
                          Ws ws, Grpc grpc, InboundOptions.Security security, Tls tls, Reality reality,
                          InboundOptions.Flow flow, Shadowsocks shadowsocks) {

        public Inbound {
            network = network == null ? InboundOptions.Network.TCP : network;
            security = security == null ? InboundOptions.Security.NONE : security;
        }
    }

    /** WebSocket transport: the path (default "/") and the Host header clients send. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ws(String path, String host) {
    }

    /** gRPC transport: the service name. */
    public record Grpc(String serviceName) {
    }

    /** TLS as clients see it: the SNI (default the node's address), a uTLS fingerprint, ALPN protocols. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tls(String serverName, InboundOptions.Fingerprint fingerprint, List<String> alpn) {
    }

    /**
     * REALITY as clients see it: the server name it borrows, the server's X25519 public key (base64url,
     * 43 characters), one of its short ids (0 to 16 hex digits), a uTLS fingerprint (default chrome)
     * and an optional spider path.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reality(String serverName, String publicKey, String shortId, InboundOptions.Fingerprint fingerprint,
                          String spiderX) {
    }

    /** Shadowsocks: the cipher; each person's password is their Xray id. */
    public record Shadowsocks(InboundOptions.ShadowsocksMethod method) {
    }

    /**
     * WireGuard on the node. {@code address} is the interface's own address in the tunnel (CIDR);
     * when absent the agent takes the first host of the tenant's address pool.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WireGuard(String interfaceName, int listenPort, String publicKey, String address,
                            List<String> dns, Integer persistentKeepalive) {
    }

    /**
     * The nodes' own WireGuard interface address in a pool: its first host, with the pool's prefix
     * ({@code 10.66.0.0/16} gives {@code 10.66.0.1/16}); client addresses start after it.
     */
    public static String interfaceAddress(String pool) {
        int slash = pool.indexOf('/');
        try {
            byte[] network = java.net.InetAddress.getByName(pool.substring(0, slash)).getAddress();
            java.math.BigInteger first = new java.math.BigInteger(1, network).add(java.math.BigInteger.ONE);
            byte[] raw = first.toByteArray();
            byte[] host = new byte[network.length];
            System.arraycopy(raw, Math.max(0, raw.length - host.length), host, Math.max(0, host.length - raw.length),
                    Math.min(raw.length, host.length));
            return java.net.InetAddress.getByAddress(host).getHostAddress() + pool.substring(slash);
        } catch (java.net.UnknownHostException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a CIDR range: " + pool, e);
        }
    }

    /** Whether the node offers the engine. */
    public boolean offers(Engine engine) {
        return switch (engine) {
            case XRAY -> xray != null;
            case WIREGUARD -> wireguard != null;
        };
    }

    public static NodeEngineSettings parse(String json) {
        return json == null ? new NodeEngineSettings(null, null) : JSON.readValue(json, NodeEngineSettings.class);
    }

    public String toJson() {
        return JSON.writeValueAsString(this);
    }
}

package dev.gatehouse.domain.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gatehouse.domain.model.Engine;
import java.util.List;
import java.util.Map;
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
     * One Xray inbound. {@code settings} carries protocol and transport extras (shadowsocks method,
     * REALITY keys, ws path, gRPC service name...).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inbound(String tag, String protocol, int port, String network, String security, String flow,
                          Map<String, Object> settings) {

        /** The shadowsocks cipher, for a shadowsocks inbound. */
        public String shadowsocksMethod() {
            Object method = settings == null ? null : settings.get("method");
            return method == null ? null : method.toString();
        }
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

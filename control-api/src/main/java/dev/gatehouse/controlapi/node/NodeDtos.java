package dev.gatehouse.controlapi.node;

import static dev.gatehouse.controlapi.web.TextRules.NOT_BLANK;

import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.InboundOptions;
import dev.gatehouse.domain.node.NodeEngineSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Bodies of /nodes. */
public final class NodeDtos {

    private NodeDtos() {
    }

    /**
     * One Xray inbound a node offers, typed by protocol, transport and security; docs/api.md lists
     * which combinations are accepted (those the cores and every client format can use).
     */
    public record XrayInbound(@NotBlank @Pattern(regexp = "^[A-Za-z0-9._-]{1,64}$",
                                      message = "use 1 to 64 letters, digits, '.', '_' or '-'") String tag,
                              @NotNull InboundOptions.Protocol protocol,
                              @NotNull @Min(1) @Max(65535) Integer port,
                              @io.swagger.v3.oas.annotations.media.Schema(defaultValue = "tcp") InboundOptions.Network network,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "with network ws: path (default /) and Host header")
                              @Valid NodeEngineSettings.Ws ws,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "with network grpc: service_name (required)")
                              @Valid NodeEngineSettings.Grpc grpc,
                              @io.swagger.v3.oas.annotations.media.Schema(defaultValue = "none", description = "reality: vless only; trojan needs tls;"
                                      + " shadowsocks none") InboundOptions.Security security,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "with security tls: server_name (default the node's address),"
                                      + " fingerprint, alpn (h2, http/1.1)")
                              @Valid NodeEngineSettings.Tls tls,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "with security reality: server_name, public_key (43 base64url"
                                      + " characters), short_id (hex), fingerprint (default chrome), spider_x")
                              @Valid NodeEngineSettings.Reality reality,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "vless over tcp with tls or reality only")
                              InboundOptions.Flow flow,
                              @io.swagger.v3.oas.annotations.media.Schema(description = "with protocol shadowsocks: method (required)")
                              @Valid NodeEngineSettings.Shadowsocks shadowsocks) {

        NodeEngineSettings.Inbound toSettings() {
            return new NodeEngineSettings.Inbound(tag, protocol, port, network, ws, grpc, security, tls, reality, flow,
                    shadowsocks);
        }

        static XrayInbound of(NodeEngineSettings.Inbound i) {
            return new XrayInbound(i.tag(), i.protocol(), i.port(), i.network(), i.ws(), i.grpc(), i.security(),
                    i.tls(), i.reality(), i.flow(), i.shadowsocks());
        }
    }

    public record XraySettings(@NotNull @Size(min = 1, max = 32) List<@Valid XrayInbound> inbounds) {
    }

    /**
     * WireGuard on the node: its interface, port and server key. Client addresses come from the
     * installation's pool (GATEHOUSE_WG_ADDRESS_POOL), the same on every node, since one credential
     * is served on each of a subscription's nodes. {@code address} is the interface's own address
     * (CIDR); by default the pool's first host.
     */
    public record WireGuardSettings(@NotBlank @Pattern(regexp = "^[A-Za-z0-9_=+.-]{1,15}$") String interfaceName,
                                    @Min(1) @Max(65535) int listenPort,
                                    @Pattern(regexp = "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
                                            message = "must be a base64 WireGuard public key") String publicKey,
                                    @Pattern(regexp = "^[0-9a-fA-F:.]+/[0-9]{1,3}$",
                                            message = "must be a CIDR address") String address,
                                    @Size(max = 8) List<@NotBlank String> dns,
                                    @Min(0) @Max(3600) Integer persistentKeepalive) {
    }

    public record NodeEngines(@Valid XraySettings xray, @Valid WireGuardSettings wireguard) {

        /** The stored form of these settings. */
        public NodeEngineSettings toSettings() {
            return new NodeEngineSettings(
                    xray == null ? null : new NodeEngineSettings.Xray(xray.inbounds().stream()
                            .map(XrayInbound::toSettings).toList()),
                    wireguard == null ? null : new NodeEngineSettings.WireGuard(wireguard.interfaceName(),
                            wireguard.listenPort(), wireguard.publicKey(), wireguard.address(), wireguard.dns(),
                            wireguard.persistentKeepalive()));
        }

        public static NodeEngines of(NodeEngineSettings s) {
            return new NodeEngines(
                    s.xray() == null ? null : new XraySettings(s.xray().inbounds().stream()
                            .map(XrayInbound::of).toList()),
                    s.wireguard() == null ? null : new WireGuardSettings(s.wireguard().interfaceName(),
                            s.wireguard().listenPort(), s.wireguard().publicKey(), s.wireguard().address(),
                            s.wireguard().dns(), s.wireguard().persistentKeepalive()));
        }
    }

    public record NodeCreateRequest(@NotNull UUID tenantId,
                                    @NotBlank @Size(max = 100) String name,
                                    @NotBlank @Size(max = 253) String address,
                                    @Size(max = 32) List<@NotBlank @Size(max = 64) String> tags,
                                    @Min(0) Integer capacity,
                                    @DecimalMin(value = "0.0001") @DecimalMax("1000") BigDecimal usageCoefficient,
                                    @NotNull @Valid NodeEngines engines) {
    }

    public record NodeUpdateRequest(@Size(min = 1, max = 100) @Pattern(regexp = NOT_BLANK, message = "must not be blank")
                                    String name,
                                    @Size(min = 1, max = 253) @Pattern(regexp = NOT_BLANK, message = "must not be blank")
                                    String address,
                                    @Size(max = 32) List<@NotBlank @Size(max = 64) String> tags,
                                    @Min(0) Integer capacity,
                                    Boolean unlimitedCapacity,
                                    @DecimalMin(value = "0.0001") @DecimalMax("1000") BigDecimal usageCoefficient,
                                    @Valid NodeEngines engines) {
    }

    public record NodeResponse(UUID id, UUID tenantId, String name, String address, List<String> tags,
                               Integer capacity, BigDecimal usageCoefficient, NodeEngines engines, NodeStatus status,
                               long assigned, Instant lastSeenAt, Instant createdAt, Instant updatedAt) {
    }

    /**
     * A new node and the one-time token its agent enrolls with (shown once).
     *
     * @param caSha256 SHA-256 of the node CA's certificate, for the agent to pin (--ca-sha256); null
     *                 while no data key is set
     */
    public record NodeCreated(NodeResponse node, String enrollmentToken, Instant enrollmentExpiresAt,
                              String caSha256) {
    }

    /** A new one-time enrollment token of a node (shown once); earlier unused ones no longer work. */
    public record EnrollmentToken(UUID nodeId, String enrollmentToken, Instant enrollmentExpiresAt,
                                  String caSha256) {
    }

    public record PolicyRequest(@NotNull Map<String, Object> document) {
    }

    public record PolicyResponse(UUID nodeId, Map<String, Object> document, Instant updatedAt) {
    }

    /**
     * @param session        "connected" when the agent was seen within the last 90 s, else "disconnected"
     * @param inSync         the agent has applied the latest desired state
     * @param applyFailures  credentials the agent could not apply at its applied revision, with the reason
     * @param appliedAt      when the agent last reported an applied revision
     */
    public record HealthResponse(UUID nodeId, NodeStatus status, String session, Instant lastSeenAt,
                                 long desiredRevision, long appliedRevision, boolean inSync, String agentVersion,
                                 Map<String, Object> coreVersions, List<ApplyFailure> applyFailures,
                                 Instant appliedAt) {
    }

    /** A credential the node's core refused, and why. */
    public record ApplyFailure(String credentialId, String reason) {
    }
}

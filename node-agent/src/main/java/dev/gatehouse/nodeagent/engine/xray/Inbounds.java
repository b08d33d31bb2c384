package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node configuration's Xray inbounds, split into those the core serves and those it cannot,
 * each with its reason. A refused inbound is left out of the core's configuration, so one inbound
 * the core cannot run does not take the others down; a credential sent to it gets the reason.
 *
 * @param served  by tag, in the configuration's order
 * @param refused tag to the reason it is not served
 */
record Inbounds(Map<String, Inbound> served, Map<String, String> refused) {

    static final Inbounds NONE = new Inbounds(Map.of(), Map.of());

    Inbounds {
        served = Collections.unmodifiableMap(new LinkedHashMap<>(served));
        refused = Collections.unmodifiableMap(new LinkedHashMap<>(refused));
    }

    /**
     * For a core the driver runs and configures: an inbound is served only if the driver can render
     * it for this flavour. {@code tls} tells whether certificate and key files are configured;
     * {@code reservedTag} is the API inbound's tag.
     */
    static Inbounds managed(NodeConfig config, CoreFlavour flavour, boolean tls, String reservedTag) {
        return split(config, flavour, spec -> spec.getTag().equals(reservedTag)
                ? Optional.of("tag " + reservedTag + " is the agent's own API inbound")
                : renderRefusal(spec, flavour, tls));
    }

    /** For a core the operator configures: only what picking accounts needs is checked. */
    static Inbounds external(NodeConfig config, CoreFlavour flavour) {
        return split(config, flavour, spec -> Optional.empty());
    }

    /** The served inbound with this tag, or a permanent refusal saying why there is none. */
    Inbound require(String tag) throws EngineException {
        Inbound inbound = served.get(tag);
        if (inbound != null) {
            return inbound;
        }
        String reason = refused.get(tag);
        throw new EngineException(reason == null
                ? "inbound " + tag + " is not in the node configuration"
                : "inbound " + tag + " is not served: " + reason, true);
    }

    private interface Check {
        Optional<String> refusal(XrayInbound spec);
    }

    private static Inbounds split(NodeConfig config, CoreFlavour flavour, Check check) {
        Map<String, Inbound> served = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (XrayInbound spec : config.getXrayInboundsList()) {
            String tag = spec.getTag();
            Optional<Protocol> protocol = Protocol.of(spec.getProtocol());
            Optional<ShadowsocksCipher> cipher = ShadowsocksCipher.of(spec.getShadowsocksMethod());
            Optional<String> refusal;
            if (tag.isEmpty()) {
                refusal = Optional.of("an inbound (port " + spec.getPort() + ") has no tag");
            } else if (served.containsKey(tag) || refused.containsKey(tag)) {
                refusal = Optional.of("tag " + tag + " names two inbounds; the first one is used");
            } else if (protocol.isEmpty()) {
                refusal = Optional.of("protocol '" + spec.getProtocol() + "' is not one of vmess, vless, trojan, shadowsocks");
            } else if (protocol.get() == Protocol.SHADOWSOCKS && !flavour.addsShadowsocksUsers()) {
                refusal = Optional.of("V2Fly cannot add Shadowsocks users to a running inbound");
            } else if (protocol.get() == Protocol.SHADOWSOCKS && cipher.isEmpty()) {
                refusal = Optional.of("shadowsocks method '" + spec.getShadowsocksMethod()
                        + "' is not one of aes-128-gcm, aes-256-gcm, chacha20-ietf-poly1305");
            } else {
                refusal = check.refusal(spec);
            }
            if (refusal.isPresent()) {
                refused.putIfAbsent(tag, refusal.get());
            } else {
                served.put(tag, new Inbound(spec, protocol.get(),
                        protocol.get() == Protocol.SHADOWSOCKS ? cipher.get() : null));
            }
        }
        return new Inbounds(served, refused);
    }

    private static Optional<String> renderRefusal(XrayInbound spec, CoreFlavour flavour, boolean tls) {
        if (spec.getPort() < 1 || spec.getPort() > 65535) {
            return Optional.of("port " + spec.getPort() + " is out of range");
        }
        String network = spec.getNetwork().isEmpty() ? "tcp" : spec.getNetwork();
        switch (network) {
            case "tcp", "ws" -> {
            }
            case "grpc" -> {
                if (!flavour.hasGrpcTransport()) {
                    return Optional.of("V2Fly 4.34 has no gRPC transport");
                }
            }
            default -> {
                return Optional.of("network '" + network + "' is not one of tcp, ws, grpc");
            }
        }
        String security = spec.getSecurity().isEmpty() ? "none" : spec.getSecurity();
        switch (security) {
            case "none" -> {
            }
            case "tls" -> {
                if (!tls) {
                    return Optional.of("security tls needs a certificate and key file, and the agent has none configured");
                }
            }
            case "reality" -> {
                if (!flavour.hasReality()) {
                    return Optional.of("V2Fly has no REALITY");
                }
                if (spec.getServerName().isEmpty()) {
                    return Optional.of("REALITY needs the server name it borrows");
                }
            }
            default -> {
                return Optional.of("security '" + security + "' is not one of none, tls, reality");
            }
        }
        if (!spec.getFlow().isEmpty() && !flavour.hasVisionFlow()) {
            return Optional.of("V2Fly has no " + spec.getFlow() + " flow");
        }
        return Optional.empty();
    }
}

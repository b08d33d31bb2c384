package dev.gatehouse.domain.node;

import dev.gatehouse.domain.model.Engine;
import java.util.UUID;

/**
 * A credential a node serves, with what its engine needs to serve it: for Xray the UUID (and flow,
 * and the password trojan and shadowsocks take), for WireGuard the peer's public and preshared keys
 * and its address. The credential id is the user's key in the core (the Xray email).
 */
public record ServedCredential(UUID credentialId, Engine engine, UUID subscriptionId, UUID userId, UUID xrayUuid,
                               String xrayFlow, String xrayPassword, String wgPublicKey, String wgPresharedKey,
                               String wgAddress) {
}

package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.WireGuardCredential;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A WireGuard credential checked before any command runs: a malformed key or allowed IP is refused
 * for good, since the same credential would fail the same way on every retry.
 *
 * @param presharedKey empty when the credential has none
 * @param allowedIps as the panel wrote them, for {@code wg set}
 * @param networks the allowed IPs as {@code wg} stores them, to tell whether a peer already matches
 */
record PeerSpec(String credentialId, String publicKey, String presharedKey, List<String> allowedIps,
                Set<Cidr> networks) {

    static PeerSpec of(Credential credential) throws EngineException {
        if (!credential.hasWireguard()) {
            throw new EngineException("the credential carries no WireGuard settings", true);
        }
        WireGuardCredential wg = credential.getWireguard();
        if (!WgKeys.isKey(wg.getPublicKey())) {
            throw new EngineException("the public key is not a WireGuard key (base64 of 32 bytes)", true);
        }
        if (!wg.getPresharedKey().isEmpty() && !WgKeys.isKey(wg.getPresharedKey())) {
            throw new EngineException("the preshared key is not a WireGuard key (base64 of 32 bytes)", true);
        }
        if (wg.getAllowedIpsCount() == 0) {
            throw new EngineException("the credential has no allowed IPs", true);
        }
        Set<Cidr> networks = new HashSet<>();
        for (String ip : wg.getAllowedIpsList()) {
            try {
                networks.add(Cidr.parse(ip).network());
            } catch (IllegalArgumentException e) {
                throw new EngineException("allowed IP " + e.getMessage(), true);
            }
        }
        return new PeerSpec(credential.getCredentialId(), wg.getPublicKey(), wg.getPresharedKey(),
                List.copyOf(wg.getAllowedIpsList()), Set.copyOf(networks));
    }

    /** Whether a peer set up from {@code other} would be this very peer. */
    boolean sameAs(PeerSpec other) {
        return credentialId.equals(other.credentialId) && publicKey.equals(other.publicKey)
                && presharedKey.equals(other.presharedKey) && networks.equals(other.networks);
    }

    /** Without the preshared key. */
    @Override
    public String toString() {
        return "PeerSpec[credentialId=" + credentialId + ", publicKey=" + publicKey + ", allowedIps=" + allowedIps + "]";
    }
}

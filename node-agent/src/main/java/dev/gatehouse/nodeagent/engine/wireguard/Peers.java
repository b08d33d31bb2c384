package dev.gatehouse.nodeagent.engine.wireguard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which credential each peer of the interface serves. The interface knows peers only by public
 * key while the panel names credentials by id; counters and removals need the way back.
 */
final class Peers {

    private final Map<String, PeerSpec> byKey = new HashMap<>();
    private final Map<String, String> keyById = new HashMap<>();

    /** The peer set up with this public key, or null. */
    PeerSpec withKey(String publicKey) {
        return byKey.get(publicKey);
    }

    /** The public key of the credential's peer, or null. */
    String keyOf(String credentialId) {
        return keyById.get(credentialId);
    }

    /** Records the peer; a credential whose key changed no longer has its old one. */
    void put(PeerSpec peer) {
        String previous = keyById.put(peer.credentialId(), peer.publicKey());
        if (previous != null && !previous.equals(peer.publicKey())) {
            byKey.remove(previous);
        }
        byKey.put(peer.publicKey(), peer);
    }

    void removeKey(String publicKey) {
        PeerSpec peer = byKey.remove(publicKey);
        if (peer != null) {
            keyById.remove(peer.credentialId());
        }
    }

    /** Forgets peers the interface no longer has; returns them. */
    List<PeerSpec> retainKeys(Set<String> present) {
        List<PeerSpec> gone = new ArrayList<>();
        for (Iterator<PeerSpec> it = byKey.values().iterator(); it.hasNext(); ) {
            PeerSpec peer = it.next();
            if (!present.contains(peer.publicKey())) {
                it.remove();
                keyById.remove(peer.credentialId());
                gone.add(peer);
            }
        }
        return gone;
    }

    void clear() {
        byKey.clear();
        keyById.clear();
    }
}

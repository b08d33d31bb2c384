package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.domain.support.DataKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Keeps subscription tokens readable for administrators when an operator gives Gatehouse a data
 * key (GATEHOUSE_DATA_KEY): sealed with it, the subscription id as associated data so a ciphertext
 * cannot be moved to another row. Without a key nothing is kept and a link is shown only when it
 * is made.
 */
@Component
class TokenVault {

    private final DataKey key;

    TokenVault(DataKey key) {
        this.key = key;
    }

    boolean enabled() {
        return key.present();
    }

    /** The sealed token, or null without a data key. */
    byte[] seal(String token, String subscriptionId) {
        return key.present() ? key.seal(token.getBytes(StandardCharsets.UTF_8),
                subscriptionId.getBytes(StandardCharsets.UTF_8)) : null;
    }

    /** The token, when it was kept and the key still opens it. */
    Optional<String> open(byte[] sealed, String subscriptionId) {
        return key.open(sealed, subscriptionId.getBytes(StandardCharsets.UTF_8))
                .map(plain -> new String(plain, StandardCharsets.UTF_8));
    }
}

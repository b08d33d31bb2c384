package dev.gatehouse.controlapi.subscription;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Keeps subscription tokens readable for administrators when an operator gives Gatehouse a data
 * key (GATEHOUSE_DATA_KEY, 32 random bytes in base64): AES-256-GCM, with the subscription id as
 * associated data so a ciphertext cannot be moved to another row. Without a key nothing is kept
 * and a link is shown only when it is made.
 */
@Component
class TokenVault {

    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    @Autowired
    TokenVault(ControlApiProperties properties) {
        this(properties.dataKey());
    }

    TokenVault(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            this.key = null;
            return;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GATEHOUSE_DATA_KEY (gatehouse.control-api.data-key) is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("GATEHOUSE_DATA_KEY (gatehouse.control-api.data-key) must be 32 random"
                    + " bytes in base64, e.g. from: openssl rand -base64 32");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    boolean enabled() {
        return key != null;
    }

    /** The sealed token, or null without a data key. */
    byte[] seal(String token, String subscriptionId) {
        if (key == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(subscriptionId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** The token, when it was kept and the key still opens it. */
    Optional<String> open(byte[] sealed, String subscriptionId) {
        if (key == null || sealed == null || sealed.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(subscriptionId.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES),
                    StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }
}

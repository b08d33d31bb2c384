package dev.gatehouse.domain.support;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The installation's data key (GATEHOUSE_DATA_KEY, 32 random bytes in base64), kept outside the
 * database: AES-256-GCM seals what must be stored secret (the internal CA's private key, readable
 * subscription tokens). The associated data binds a ciphertext to its row, so it cannot be moved to
 * another. {@link #absent()} seals nothing.
 */
public final class DataKey {

    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private DataKey(SecretKeySpec key) {
        this.key = key;
    }

    public static DataKey absent() {
        return new DataKey(null);
    }

    /** The key from its base64 text; blank means absent. IllegalArgumentException naming the setting otherwise. */
    public static DataKey of(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            return absent();
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GATEHOUSE_DATA_KEY (gatehouse.domain.data-key) is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("GATEHOUSE_DATA_KEY (gatehouse.domain.data-key) must be 32 random"
                    + " bytes in base64, e.g. from: openssl rand -base64 32");
        }
        return new DataKey(new SecretKeySpec(raw, "AES"));
    }

    public boolean present() {
        return key != null;
    }

    /** Nonce and ciphertext; IllegalStateException without a key. */
    public byte[] seal(byte[] plain, byte[] associatedData) {
        if (key == null) {
            throw new IllegalStateException("no data key: set GATEHOUSE_DATA_KEY");
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** The plain bytes, when there is a key and it opens the ciphertext with this associated data. */
    public Optional<byte[]> open(byte[] sealed, byte[] associatedData) {
        if (key == null || sealed == null || sealed.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            return Optional.of(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }
}

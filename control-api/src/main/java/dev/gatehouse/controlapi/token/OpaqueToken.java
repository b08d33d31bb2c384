package dev.gatehouse.controlapi.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random bearer secrets that are not JWTs: each kind has its own prefix, is stored only as a
 * SHA-256 hash in its own table, and is refused wherever another kind is expected.
 */
public enum OpaqueToken {
    REFRESH("ghr_"),
    API("gha_"),
    SUBSCRIPTION("ghs_"),
    ENROLLMENT("ghe_"),
    BOOTSTRAP("ghb_");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 32;

    private final String prefix;

    OpaqueToken(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** A new token: the prefix and 256 random bits, base64url. */
    public String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public boolean matches(String token) {
        return token != null && token.startsWith(prefix) && token.length() == prefix.length() + 43;
    }

    /** The stored form of a token. */
    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import java.util.Base64;

/**
 * WireGuard's key text: base64 of exactly 32 bytes, in the one canonical spelling {@code wg}
 * accepts (44 characters, one {@code =}). Checked here so that a malformed key is refused before any
 * command runs, and so that {@code wg} never echoes a key it could not parse into an error message.
 */
final class WgKeys {

    static final int LENGTH = 32;

    private WgKeys() {
    }

    static boolean isKey(String text) {
        return decode(text) != null;
    }

    /** The key's 32 bytes, or null when {@code text} is not a key. */
    static byte[] decode(String text) {
        if (text == null || text.length() != 44) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return bytes.length == LENGTH && encode(bytes).equals(text) ? bytes : null;
    }

    static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}

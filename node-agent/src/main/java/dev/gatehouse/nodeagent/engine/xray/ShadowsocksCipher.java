package dev.gatehouse.nodeagent.engine.xray;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Shadowsocks methods the panel offers (docs/api.md). Each flavour numbers them differently in
 * its protos, so the API classes map this enum, never a number.
 */
enum ShadowsocksCipher {
    AES_128_GCM("aes-128-gcm"), AES_256_GCM("aes-256-gcm"), CHACHA20_POLY1305("chacha20-ietf-poly1305");

    private final String method;

    ShadowsocksCipher(String method) {
        this.method = method;
    }

    static Optional<ShadowsocksCipher> of(String method) {
        return Arrays.stream(values()).filter(c -> c.method.equals(method)).findFirst();
    }
}

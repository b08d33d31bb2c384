package dev.gatehouse.domain.node;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.gatehouse.domain.model.DbEnum;
import java.util.Locale;

/**
 * The closed sets an Xray inbound is made of: what the Xray and V2Fly cores and every client format
 * Gatehouse renders (share links, Clash/mihomo, sing-box, Xray JSON, Outline) all understand. Each
 * is written in JSON, stored and sent by its lower-case name.
 */
public final class InboundOptions {

    private InboundOptions() {
    }

    /** Spelled in lower case with '-' for '_' ({@code AES_128_GCM} is {@code aes-128-gcm}), in JSON and stored. */
    public interface Named extends DbEnum {

        @Override
        @JsonValue
        default String db() {
            return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum Protocol implements Named {
        VLESS, VMESS, TROJAN, SHADOWSOCKS
    }

    /** The transport under the protocol ({@code streamSettings.network}). */
    public enum Network implements Named {
        TCP, WS, GRPC
    }

    /** The transport's security layer ({@code streamSettings.security}); REALITY needs the Xray core. */
    public enum Security implements Named {
        NONE, TLS, REALITY
    }

    /** VLESS flow control; Vision needs TCP with TLS or REALITY. */
    public enum Flow implements Named {
        XTLS_RPRX_VISION
    }

    /**
     * The AEAD ciphers both cores (V2Fly 4.x too) and every client format accept for one password
     * per person. The 2022 methods are not offered: they need a server key and a per-person key of
     * the method's length, which the credentials do not carry.
     */
    public enum ShadowsocksMethod implements Named {
        AES_128_GCM, AES_256_GCM, CHACHA20_IETF_POLY1305
    }

    /** uTLS client fingerprints that Xray, mihomo and sing-box all know. */
    public enum Fingerprint implements Named {
        CHROME, FIREFOX, SAFARI, IOS, ANDROID, EDGE, RANDOM
    }
}

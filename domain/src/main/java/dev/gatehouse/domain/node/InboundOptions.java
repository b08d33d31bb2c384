package dev.gatehouse.domain.node;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.gatehouse.domain.model.DbEnum;

/**
 * The closed sets an Xray inbound is made of: what the Xray and V2Fly cores and every client format
 * Gatehouse renders (share links, Clash/mihomo, sing-box, Xray JSON, Outline) all understand. Each
 * is written in JSON, stored and sent by its lower-case name.
 */
public final class InboundOptions {

    private InboundOptions() {
    }

    public enum Protocol implements DbEnum {
        VLESS("vless"), VMESS("vmess"), TROJAN("trojan"), SHADOWSOCKS("shadowsocks");

        private final String name;

        Protocol(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }

    /** The transport under the protocol ({@code streamSettings.network}). */
    public enum Network implements DbEnum {
        TCP("tcp"), WS("ws"), GRPC("grpc");

        private final String name;

        Network(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }

    /** The transport's security layer ({@code streamSettings.security}); REALITY needs the Xray core. */
    public enum Security implements DbEnum {
        NONE("none"), TLS("tls"), REALITY("reality");

        private final String name;

        Security(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }

    /** VLESS flow control; Vision needs TCP with TLS or REALITY. */
    public enum Flow implements DbEnum {
        XTLS_RPRX_VISION("xtls-rprx-vision");

        private final String name;

        Flow(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }

    /**
     * The AEAD ciphers both cores (V2Fly 4.x too) and every client format accept for one password
     * per person. The 2022 methods are not offered: they need a server key and a per-person key of
     * the method's length, which the credentials do not carry.
     */
    public enum ShadowsocksMethod implements DbEnum {
        AES_128_GCM("aes-128-gcm"), AES_256_GCM("aes-256-gcm"), CHACHA20_IETF_POLY1305("chacha20-ietf-poly1305");

        private final String name;

        ShadowsocksMethod(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }

    /** uTLS client fingerprints that Xray, mihomo and sing-box all know. */
    public enum Fingerprint implements DbEnum {
        CHROME("chrome"), FIREFOX("firefox"), SAFARI("safari"), IOS("ios"), ANDROID("android"), EDGE("edge"),
        RANDOM("random");

        private final String name;

        Fingerprint(String name) {
            this.name = name;
        }

        @Override
        @JsonValue
        public String db() {
            return name;
        }
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import java.util.Arrays;
import java.util.Optional;

/** The inbound protocols whose users the driver adds live; each takes its own account type. */
enum Protocol {
    VMESS("vmess"), VLESS("vless"), TROJAN("trojan"), SHADOWSOCKS("shadowsocks");

    private final String wire;

    Protocol(String wire) {
        this.wire = wire;
    }

    /** The name in the core's JSON and in {@code XrayInbound.protocol}. */
    String wire() {
        return wire;
    }

    static Optional<Protocol> of(String name) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(name)).findFirst();
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import java.nio.file.Path;
import java.util.List;

/**
 * Which core the driver talks to. V2Fly and Xray share the API's shape but not its package names,
 * command lines or features, and a node runs exactly one of them.
 */
public enum CoreFlavour {

    /** The V2Fly core as Debian ships it ({@code v2ray} 4.34). */
    V2FLY("v2fly", "v2ray"),
    /** The Xray core ({@code xray}). */
    XRAY("xray", "xray");

    private final String flavour;
    private final String defaultBinary;

    CoreFlavour(String flavour, String defaultBinary) {
        this.flavour = flavour;
        this.defaultBinary = defaultBinary;
    }

    /** The name reported to the collector ({@code CoreInfo.flavour}). */
    public String flavour() {
        return flavour;
    }

    /** The executable's name, looked up on PATH when no binary is configured. */
    public String defaultBinary() {
        return defaultBinary;
    }

    List<String> runCommand(Path binary, Path config) {
        return switch (this) {
            case V2FLY -> List.of(binary.toString(), "-config", config.toString());
            case XRAY -> List.of(binary.toString(), "run", "-c", config.toString());
        };
    }

    List<String> testCommand(Path binary, Path config) {
        return switch (this) {
            case V2FLY -> List.of(binary.toString(), "-test", "-config", config.toString());
            case XRAY -> List.of(binary.toString(), "run", "-test", "-c", config.toString());
        };
    }

    List<String> versionCommand(Path binary) {
        return switch (this) {
            case V2FLY -> List.of(binary.toString(), "-version");
            case XRAY -> List.of(binary.toString(), "version");
        };
    }

    /** V2Fly 4.34 Shadowsocks inbounds hold one fixed user; Xray's take users live. */
    boolean addsShadowsocksUsers() {
        return this == XRAY;
    }

    /** V2Fly 4.34 has no gRPC transport (it came with 4.36). */
    boolean hasGrpcTransport() {
        return this == XRAY;
    }

    /** REALITY exists only in Xray. */
    boolean hasReality() {
        return this == XRAY;
    }

    /** {@code xtls-rprx-vision} exists only in Xray. */
    boolean hasVisionFlow() {
        return this == XRAY;
    }
}

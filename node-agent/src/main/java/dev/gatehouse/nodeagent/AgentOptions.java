package dev.gatehouse.nodeagent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of {@code run}, resolved from flags, environment and the settings file (see
 * docs/node-agent.md for each).
 *
 * @param state          the state folder: identity, counter checkpoint, buffer, engine keys
 * @param httpAddress    where health and metrics are served (loopback by default)
 * @param httpPort       their port
 * @param pollInterval   how often the cores' counters are read
 * @param checkInterval  how often what the engines serve is compared with the desired state
 * @param xrayMode       managed (the agent runs the core), external (the operator does), off
 * @param xrayBinary     the core's binary in managed mode; empty: xray, then v2ray, on PATH
 * @param xrayApi        host:port of the core's API in external mode
 * @param xrayListen     the address the core's inbounds listen on (managed mode)
 * @param xrayTlsCertificate PEM certificate for inbounds with TLS (managed mode); empty: TLS inbounds refused
 * @param xrayTlsKey     its PEM key
 * @param wireguard      whether this node serves WireGuard
 * @param bufferMaxBytes how much unacknowledged traffic the buffer keeps on disk
 * @param bufferMaxAge   how old unacknowledged traffic may grow before it is dropped
 */
public record AgentOptions(Path state, String httpAddress, int httpPort, Duration pollInterval, Duration checkInterval,
                           String xrayMode, String xrayBinary, String xrayApi, String xrayListen,
                           String xrayTlsCertificate, String xrayTlsKey, boolean wireguard,
                           long bufferMaxBytes, Duration bufferMaxAge) {
}

package dev.gatehouse.domain;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the domain core, the same in every app.
 *
 * @param wireguardAddressPool the CIDR range WireGuard client addresses of every tenant come from;
 *                             its first host is the nodes' own interface address
 * @param redisNamespace       prefix of every Redis key and channel of this installation
 */
@ConfigurationProperties("gatehouse.domain")
public record DomainProperties(@DefaultValue("10.66.0.0/16")
                               String wireguardAddressPool,
                               @DefaultValue("gatehouse") String redisNamespace) {
}

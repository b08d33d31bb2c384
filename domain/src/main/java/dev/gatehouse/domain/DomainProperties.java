package dev.gatehouse.domain;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the domain core, the same in every app.
 *
 * @param wireguardAddressPool the CIDR range WireGuard client addresses of every tenant come from;
 *                             its first host is the nodes' own interface address
 * @param redisNamespace       prefix of every Redis key and channel of this installation
 * @param dataKey              32 random bytes in base64, kept outside the database, that seal the
 *                             internal CA's key and readable subscription tokens; empty: none
 * @param nodeCertificateValidity how long a node's client certificate is valid (renewed over its session)
 * @param trafficClockSkew     how far in the future a traffic sample's end may lie
 * @param trafficRetention     how old a traffic sample's end may be (raw events are kept this long)
 */
@ConfigurationProperties("gatehouse.domain")
public record DomainProperties(@DefaultValue("10.66.0.0/16")
                               String wireguardAddressPool,
                               @DefaultValue("gatehouse") String redisNamespace,
                               String dataKey,
                               @DefaultValue("7d") java.time.Duration nodeCertificateValidity,
                               @DefaultValue("5m") java.time.Duration trafficClockSkew,
                               @DefaultValue("35d") java.time.Duration trafficRetention) {
}

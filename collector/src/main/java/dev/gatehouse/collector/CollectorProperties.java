package dev.gatehouse.collector;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the collector, under {@code gatehouse.collector}.
 *
 * @param grpcPort          the node sessions' gRPC mTLS port
 * @param address           host:port agents reach the collector at; its host is named in the server
 *                          certificate (with localhost and 127.0.0.1)
 * @param maxBatchSamples   samples one TrafficBatch may carry; more is refused
 * @param trafficInterval   how often agents are asked to send traffic (Welcome)
 * @param bindAddress       the address the gRPC port listens on (0.0.0.0: every interface)
 * @param revisionCheckInterval how often each open session is checked against its node's desired
 *                          revision (a lost notification delays a change by at most this) and
 *                          its node marked seen
 * @param snapshotPartCredentials credentials one snapshot message carries at most (about 150 bytes
 *                          each, so 20,000 stay well under gRPC's 4 MiB default)
 * @param writers           transactions that store traffic at once (each takes every batch waiting)
 * @param maxGroupSamples   samples one such transaction takes at most
 * @param sessionIdleTimeout a session that sends nothing (not even health) for this long ends; agents
 *                          send health every 30 s
 */
@Validated
@ConfigurationProperties("gatehouse.collector")
public record CollectorProperties(@DefaultValue("9443") @Min(1) @Max(65535) int grpcPort,
                                  @DefaultValue("127.0.0.1:9443") @NotBlank String address,
                                  @DefaultValue("10000") @Min(1) int maxBatchSamples,
                                  @DefaultValue("10s") Duration trafficInterval,
                                  @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
                                  @DefaultValue("15s") Duration revisionCheckInterval,
                                  @DefaultValue("90s") Duration sessionIdleTimeout,
                                  @DefaultValue("2") @Min(1) int writers,
                                  @DefaultValue("20000") @Min(1) int maxGroupSamples,
                                  @DefaultValue("20000") @Min(1) int snapshotPartCredentials) {
}

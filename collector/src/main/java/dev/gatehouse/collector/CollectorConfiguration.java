package dev.gatehouse.collector;

import dev.gatehouse.collector.ingest.TrafficWriter;
import dev.gatehouse.collector.session.CollectorServer;
import dev.gatehouse.collector.session.NodeIdentity;
import dev.gatehouse.collector.session.NodeSessions;
import dev.gatehouse.collector.session.RefusedMessages;
import dev.gatehouse.domain.DomainProperties;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEvent;
import dev.gatehouse.domain.node.NodeEvents;
import dev.gatehouse.domain.traffic.TrafficIngest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The collector's parts: the sessions, their endpoint, and the node events that drive them. */
@Configuration
@EnableConfigurationProperties(CollectorProperties.class)
class CollectorConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CollectorConfiguration.class);

    @Bean
    TrafficWriter trafficWriter(TrafficIngest ingest, CollectorProperties properties) {
        return new TrafficWriter(ingest, properties.writers(), properties.maxGroupSamples());
    }

    @Bean
    NodeSessions nodeSessions(JdbcClient jdbc, DesiredState desired, TrafficWriter ingest, NodeCa ca,
                              TransactionTemplate tx, Clock clock, CollectorProperties properties,
                              MeterRegistry meters, StringRedisTemplate redis, DomainProperties domain,
                              ObjectProvider<Tracer> tracer) {
        String channel = sessionChannel(domain);
        return new NodeSessions(jdbc, desired, ingest, ca, tx, clock, properties.maxBatchSamples(),
                properties.trafficInterval(), properties.sessionIdleTimeout(), properties.snapshotPartCredentials(),
                domain.wireguardAddressPool(), meters, (instance, node) -> {
                    try {
                        redis.convertAndSend(channel, instance + " " + node);
                    } catch (RuntimeException e) {
                        // Best effort: without Redis, only this collector's older session gives way.
                        log.warn("could not announce the session of node {}: {}", node, e.getMessage());
                    }
                }, tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    /** Where collectors announce the sessions they open: {@code INSTANCE NODE}, one per line. */
    static String sessionChannel(DomainProperties domain) {
        return domain.redisNamespace() + ":node-sessions";
    }

    @Bean
    CollectorServer collectorServer(NodeCa ca, NodeSessions sessions, JdbcClient jdbc, Clock clock,
                                    CollectorProperties properties, MeterRegistry meters) {
        return new CollectorServer(ca, sessions, new NodeIdentity(jdbc, clock), properties.grpcPort(),
                properties.address(), properties.bindAddress(), properties.revisionCheckInterval(),
                new RefusedMessages(meters));
    }

    /** Node events from the control plane; a message this version does not understand is counted and ignored. */
    @Bean
    RedisMessageListenerContainer nodeEventListener(RedisConnectionFactory redis, DomainProperties domain,
                                                    NodeSessions sessions, MeterRegistry meters) {
        Counter ignored = Counter.builder("gatehouse_collector_node_events_ignored")
                .description("node-event messages that could not be understood").register(meters);
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.addMessageListener((message, pattern) -> {
            String text = new String(message.getBody(), java.nio.charset.StandardCharsets.UTF_8);
            NodeEvent.parse(text).ifPresentOrElse(sessions::onEvent, () -> {
                ignored.increment();
                log.info("ignored a node event this collector does not understand: {}",
                        text.length() > 200 ? text.substring(0, 200) : text);
            });
        }, new ChannelTopic(NodeEvents.channel(domain.redisNamespace())));
        container.addMessageListener((message, pattern) -> {
            String[] parts = new String(message.getBody(), java.nio.charset.StandardCharsets.UTF_8).trim().split(" ");
            try {
                if (parts.length == 2) {
                    sessions.openedElsewhere(parts[0], java.util.UUID.fromString(parts[1]));
                    return;
                }
            } catch (IllegalArgumentException notOurs) {
                // counted below
            }
            ignored.increment();
        }, new ChannelTopic(sessionChannel(domain)));
        return container;
    }
}

package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RedisChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Node events reach the collectors after commit, and a Redis outage never fails the write. */
class NodeEventsIT extends DomainIT {

    @Autowired
    DesiredState desired;

    @Test
    void aCommittedSyncPublishesTheNewRevisionAndARolledBackOneNothing() throws Exception {
        var f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID sub = f.subscription(tenant, f.person(tenant), f.plan(tenant, null), List.of(node));
        try (RedisChannel received = RedisChannel.listen(NodeEvents.channel(NAMESPACE))) {
            tx.executeWithoutResult(s -> {
                desired.syncSubscriptions(List.of(sub));
                s.setRollbackOnly();
            });
            tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
            tx.executeWithoutResult(s -> desired.closed(node, NodeEvent.Reason.DELETED));
            assertThat(received.next(5, TimeUnit.SECONDS)).isEqualTo("revision " + node + " 1");
            assertThat(received.next(5, TimeUnit.SECONDS)).isEqualTo("closed " + node + " deleted");
        }
    }

    @Test
    void anUnreachableRedisIsCountedAndNeverThrownAtTheWriter() throws Exception {
        int closedPort = Ports.free();
        LettuceConnectionFactory dead = new LettuceConnectionFactory(
                new org.springframework.data.redis.connection.RedisStandaloneConfiguration("127.0.0.1", closedPort),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
        dead.afterPropertiesSet();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        NodeEvents events = new NodeEvents(new StringRedisTemplate(dead), "gh-dead", meters);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                events.publishAfterCommit(new NodeEvent.RevisionChanged(UUID.randomUUID(), i + 1));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the writer does not wait for Redis")
                    .isLessThan(Duration.ofMillis(400));
            assertThat(events.drain(20_000)).isTrue();
            assertThat(meters.get("gatehouse_node_events").tag("outcome", "failed").counter().count()).isEqualTo(3);
            assertThat(meters.get("gatehouse_node_events").tag("outcome", "published").counter().count()).isZero();
        } finally {
            events.destroy();
            dead.destroy();
        }
    }
}

package dev.gatehouse.domain;

import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.traffic.TrafficIngest;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeAssigner;
import dev.gatehouse.domain.node.NodeEvents;
import dev.gatehouse.domain.subscription.Credentials;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import dev.gatehouse.domain.subscription.UsageLedger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The domain core's beans, for every app that has the database and Redis (control-api, collector, scheduler). */
@AutoConfiguration
@EnableConfigurationProperties(DomainProperties.class)
public class DomainAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock domainClock() {
        return Clock.systemUTC();
    }

    @Bean
    NodeEvents nodeEvents(StringRedisTemplate redis, DomainProperties properties,
                          ObjectProvider<MeterRegistry> meters) {
        return new NodeEvents(redis, properties.redisNamespace(), meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    DesiredState desiredState(JdbcClient jdbc, NodeEvents events, Clock clock) {
        return new DesiredState(jdbc, events, clock);
    }

    @Bean
    NodeAssigner nodeAssigner(JdbcClient jdbc, DesiredState desired) {
        return new NodeAssigner(jdbc, desired);
    }

    @Bean
    Credentials engineCredentials(JdbcClient jdbc, DomainProperties properties, Clock clock) {
        return new Credentials(jdbc, properties.wireguardAddressPool(), clock);
    }

    @Bean
    SubscriptionLifecycle subscriptionLifecycle(JdbcClient jdbc, Credentials credentials, Clock clock) {
        return new SubscriptionLifecycle(jdbc, credentials, clock);
    }

    @Bean
    DataKey dataKey(DomainProperties properties) {
        return DataKey.of(properties.dataKey());
    }

    @Bean
    NodeCa nodeCa(JdbcClient jdbc, DataKey dataKey, Clock clock, DomainProperties properties) {
        return new NodeCa(jdbc, dataKey, clock, properties.nodeCertificateValidity());
    }

    @Bean
    TrafficIngest trafficIngest(JdbcClient jdbc, UsageLedger ledger, SubscriptionLifecycle lifecycle,
                                DesiredState desired, Clock clock, DomainProperties properties) {
        return new TrafficIngest(jdbc, ledger, lifecycle, desired, clock, properties.trafficClockSkew(),
                properties.trafficRetention());
    }

    @Bean
    UsageLedger usageLedger(JdbcClient jdbc) {
        return new UsageLedger(jdbc);
    }
}

package dev.gatehouse.controlapi.database;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts the {@link DatabaseCircuit} in front of the pool Spring Boot makes, so JPA, JdbcClient, Flyway
 * and the health check all take their connections through it.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseCircuitConfiguration {

    @Bean
    DatabaseCircuit databaseCircuit() {
        return new DatabaseCircuit();
    }

    /** Looks the circuit up only when the pool is made, so the circuit is an ordinary bean. */
    @Bean
    static BeanPostProcessor guardedDataSource(ObjectProvider<DatabaseCircuit> databaseCircuit) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource pool && !(bean instanceof GuardedDataSource)
                        ? new GuardedDataSource(pool, databaseCircuit.getObject()) : bean;
            }
        };
    }

    /** resilience4j_circuitbreaker_state{name="database",state=...} and the call counts, on /actuator/prometheus. */
    @Bean
    MeterBinder databaseCircuitMetrics(DatabaseCircuit databaseCircuit) {
        return TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(databaseCircuit.registry());
    }
}

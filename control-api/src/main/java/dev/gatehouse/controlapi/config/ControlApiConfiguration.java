package dev.gatehouse.controlapi.config;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans every feature of control-api shares. */
@Configuration
@EnableConfigurationProperties(ControlApiProperties.class)
class ControlApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}

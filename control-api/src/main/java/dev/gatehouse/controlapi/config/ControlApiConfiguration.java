package dev.gatehouse.controlapi.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Beans every feature of control-api shares; the Clock comes from the domain core. */
@Configuration
@EnableConfigurationProperties(ControlApiProperties.class)
class ControlApiConfiguration {
}

package dev.gatehouse.controlapi.config;

import dev.gatehouse.domain.DomainProperties;
import org.springframework.stereotype.Component;

/**
 * Names of control-api's Redis keys, all under one namespace, so that two installations (or two
 * test runs) sharing a Redis server never read each other's state.
 */
@Component
public class RedisKeys {

    private final String namespace;

    RedisKeys(DomainProperties properties) {
        this.namespace = properties.redisNamespace();
    }

    public String key(String name) {
        return namespace + ":" + name;
    }
}

package dev.gatehouse.controlapi.config;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Names of control-api's Redis keys, all under one namespace, so that two installations (or two
 * test runs) sharing a Redis server never read each other's state.
 */
@Component
public class RedisKeys {

    private final String namespace;

    RedisKeys(@Value("${gatehouse.redis.namespace:gatehouse}") String namespace) {
        this.namespace = namespace;
    }

    public String key(String name) {
        return namespace + ":" + name;
    }
}

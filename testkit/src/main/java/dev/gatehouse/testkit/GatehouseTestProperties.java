package dev.gatehouse.testkit;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Points a Spring Boot test context at a test database and the test Redis. */
public final class GatehouseTestProperties {

    private GatehouseTestProperties() {
    }

    public static void register(DynamicPropertyRegistry registry, TestDatabase db) {
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("spring.data.redis.url", TestRedis.instance()::url);
    }
}

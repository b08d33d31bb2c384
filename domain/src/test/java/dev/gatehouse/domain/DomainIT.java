package dev.gatehouse.domain;

import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.TestPostgres;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Base of the domain core's integration tests: one context per test JVM on a migrated PostgreSQL
 * database and the test Redis, with {@link Fixtures} to lay out tenants, people and nodes.
 */
@SpringBootTest(classes = DomainTestApp.class, properties = "spring.main.web-application-type=none")
public abstract class DomainIT {

    protected static final String NAMESPACE = "gh-domain-" + UUID.randomUUID();

    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected TransactionTemplate tx;

    protected Fixtures fixtures() {
        return new Fixtures(jdbc, tx);
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("domain-it", true));
        registry.add("gatehouse.domain.redis-namespace", () -> NAMESPACE);
    }
}

package dev.gatehouse.collector;

import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestPostgres;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the collector's integration tests: one running collector per test JVM on real PostgreSQL
 * (a migrated database of its own) and Redis (a namespace of its own), with a data key and its node
 * session endpoint on a free port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class CollectorTest {

    protected static final int GRPC_PORT = Ports.free();
    protected static final String REDIS_NAMESPACE = "gh-collector-" + UUID.randomUUID();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("collector", true));
        registry.add("gatehouse.domain.redis-namespace", () -> REDIS_NAMESPACE);
        registry.add("gatehouse.domain.data-key", () -> "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        registry.add("gatehouse.collector.grpc-port", () -> GRPC_PORT);
        registry.add("gatehouse.collector.address", () -> "127.0.0.1:" + GRPC_PORT);
        // Tests call the revision check themselves; a timer firing mid-test would race their assertions.
        registry.add("gatehouse.collector.revision-check-interval", () -> "1h");
        // Small parts, so that a node with a few credentials shows how a large snapshot is split.
        registry.add("gatehouse.collector.snapshot-part-credentials", () -> "2");
    }
}

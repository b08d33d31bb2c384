package dev.gatehouse.scheduler;

import dev.gatehouse.testkit.ActuatorProbe;
import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** scheduler boots against real PostgreSQL and Redis and serves health and Prometheus metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SchedulerBootIT {

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("scheduler", true));
    }

    @Test
    void healthIsUpWithDatabaseAndRedis() throws Exception {
        ActuatorProbe.assertHealthUp(port, "db", "redis");
    }

    @Test
    void prometheusMetricsAreServedAsText() throws Exception {
        ActuatorProbe.assertPrometheusText(port);
    }
}

package dev.gatehouse.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.ActuatorProbe;
import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** control-api boots against real PostgreSQL and Redis and serves health and Prometheus metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ControlApiBootIT {

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("control-api", false));
    }

    @Test
    void healthIsUpWithDatabaseAndRedis() throws Exception {
        ActuatorProbe.assertHealthUp(port, "db", "redis");
    }

    @Test
    void prometheusMetricsAreServedAsText() throws Exception {
        ActuatorProbe.assertPrometheusText(port);
    }

    @Test
    void appliesEveryMigrationAtStart(@Autowired Flyway flyway) {
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(flyway.info().applied()).hasSizeGreaterThanOrEqualTo(5);
    }
}

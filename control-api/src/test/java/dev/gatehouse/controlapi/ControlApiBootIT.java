package dev.gatehouse.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.ActuatorProbe;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** control-api boots against real PostgreSQL and Redis and serves health and Prometheus metrics. */
class ControlApiBootIT extends ControlApiTest {

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
        assertThat(flyway.info().applied()).hasSizeGreaterThanOrEqualTo(6);
    }
}

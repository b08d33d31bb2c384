package dev.gatehouse.collector;

import dev.gatehouse.testkit.ActuatorProbe;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** collector boots against real PostgreSQL and Redis and serves health and Prometheus metrics. */
class CollectorBootIT extends CollectorTest {

    @LocalServerPort
    int port;

    @Test
    void healthIsUpWithDatabaseAndRedis() throws Exception {
        ActuatorProbe.assertHealthUp(port, "db", "redis");
    }

    @Test
    void prometheusMetricsAreServedAsText() throws Exception {
        ActuatorProbe.assertPrometheusText(port);
    }
}

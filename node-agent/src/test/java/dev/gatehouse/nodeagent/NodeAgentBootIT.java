package dev.gatehouse.nodeagent;

import dev.gatehouse.testkit.ActuatorProbe;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The node agent boots with no database (it has none by design) and serves health and metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NodeAgentBootIT {

    @LocalServerPort
    int port;

    @Test
    void healthIsUp() throws Exception {
        ActuatorProbe.assertHealthUp(port);
    }

    @Test
    void prometheusMetricsAreServedAsText() throws Exception {
        ActuatorProbe.assertPrometheusText(port);
    }
}

package dev.gatehouse.controlapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.ChildJvm;
import dev.gatehouse.testkit.Ports;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real control-api main, started against a database that is not there. */
class StartupFailureIT {

    @Test
    void exitsWithOneLineNamingTheSettingToFix() throws Exception {
        int closedPort = Ports.free();

        ChildJvm.Result result = ChildJvm.run(ControlApiApplication.class,
                Map.of("GATEHOUSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/gatehouse"),
                Duration.ofSeconds(60));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.nonBlankLines()).containsExactly("control-api: cannot reach PostgreSQL at "
                + "jdbc:postgresql://127.0.0.1:" + closedPort + "/gatehouse (Connection to 127.0.0.1:" + closedPort
                + " refused. Check that the hostname and port are correct and that the postmaster is accepting"
                + " TCP/IP connections.); set GATEHOUSE_DB_URL, GATEHOUSE_DB_USER and GATEHOUSE_DB_PASSWORD"
                + " (spring.datasource.*) to a reachable server");
    }
}

package dev.gatehouse.controlapi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** control-api refuses a database that a newer build has already migrated. */
class SchemaVersionIT {

    @Test
    void aDatabaseAtANewerVersionStopsTheStartWithFlywaysMessage() throws Exception {
        TestDatabase db = TestPostgres.instance().createMigratedDatabase();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,
                                                       checksum, installed_by, execution_time, success)
                    SELECT max(installed_rank) + 1, '999', 'from a newer build', 'SQL',
                           'V999__from_a_newer_build.sql', 0, 'test', 0, true
                    FROM flyway_schema_history""");
        }

        assertThatThrownBy(() -> new SpringApplicationBuilder(ControlApiApplication.class)
                .run("--server.port=0",
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.username(),
                        "--spring.datasource.password=" + db.password(),
                        "--spring.data.redis.url=" + TestRedis.instance().url())
                .close())
                .hasRootCauseMessage("Validate failed: Migrations have failed validation\n"
                        + "Detected applied migration not resolved locally: 999.\n"
                        + "If you removed this migration intentionally, run repair to mark the migration as deleted.\n"
                        + "Need more flexibility with validation rules? Learn more: https://rd.gt/3AbJUZE");
    }
}

package dev.gatehouse.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The collector validates the schema and never migrates it: that is control-api's job. */
class SchemaValidationIT {

    @Test
    void anUnmigratedDatabaseStopsTheStartAndIsLeftUntouched() throws Exception {
        TestDatabase db = TestPostgres.instance().createDatabase();

        assertThatThrownBy(() -> new SpringApplicationBuilder(CollectorApplication.class)
                .run("--server.port=0",
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.username(),
                        "--spring.datasource.password=" + db.password(),
                        "--spring.data.redis.url=" + TestRedis.instance().url())
                .close())
                .rootCause()
                .hasMessageContaining("Validate failed")
                .hasMessageContaining("Detected resolved migration not applied to database");

        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}

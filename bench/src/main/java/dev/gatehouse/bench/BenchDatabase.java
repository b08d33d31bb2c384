package dev.gatehouse.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The launcher's embedded PostgreSQL on its own (the same binaries and server settings: fsync and
 * synchronous_commit on, autovacuum on) in a temporary folder, with every migration of db/migrations
 * applied: for benchmarks of code that needs the schema but no running app. GATEHOUSE_BENCH_DB_URL
 * names an external, empty database instead, as for {@link ControlPlane}.
 */
final class BenchDatabase implements AutoCloseable {

    private static final String DATABASE = "gatehouse";

    private final Path home;
    private final EmbeddedPostgres postgres;
    private final TestDatabase database;

    private BenchDatabase(Path home, EmbeddedPostgres postgres, TestDatabase database) {
        this.home = home;
        this.postgres = postgres;
        this.database = database;
    }

    static BenchDatabase start() throws Exception {
        String external = System.getenv("GATEHOUSE_BENCH_DB_URL");
        if (external != null && !external.isBlank()) {
            TestDatabase db = new TestDatabase(DATABASE, external,
                    System.getenv().getOrDefault("GATEHOUSE_DB_USER", "postgres"),
                    System.getenv().getOrDefault("GATEHOUSE_DB_PASSWORD", ""));
            TestPostgres.migrate(db);
            return new BenchDatabase(null, null, db);
        }
        Path home = Files.createTempDirectory("gatehouse-bench");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(home.resolve("postgres"))
                .setPGStartupWait(Duration.ofSeconds(60))
                // As the launcher: the library turns both off; a later -c wins over its -F.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        TestDatabase db = new TestDatabase(DATABASE,
                postgres.getJdbcUrl("postgres", DATABASE).replaceFirst("\\?.*$", ""), "postgres", "");
        TestPostgres.migrate(db);
        return new BenchDatabase(home, postgres, db);
    }

    Connection connect() throws SQLException {
        return database.connect();
    }

    /** A pool as the apps keep one (HikariCP), so that a connection and its prepared statements are reused. */
    HikariDataSource pool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.username());
        config.setPassword(database.password());
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    @Override
    public void close() throws Exception {
        if (postgres == null) {
            return;
        }
        postgres.close();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
        }
    }
}

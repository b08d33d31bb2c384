package dev.gatehouse.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import redis.embedded.RedisServer;

/**
 * The embedded PostgreSQL and Redis of the single-machine default. Both keep their data under the
 * launcher's home folder, so a restart finds what the last run left.
 */
final class EmbeddedServices implements AutoCloseable {

    static final String DATABASE = "gatehouse";

    private EmbeddedPostgres postgres;
    private RedisServer redis;

    /** Starts PostgreSQL (unless an external one is configured) and returns the JDBC URL to use. */
    String startPostgres(LauncherSettings settings) {
        if (settings.externalDbUrl() != null) {
            return settings.externalDbUrl();
        }
        Path dataDir = settings.home().resolve("postgres");
        try {
            Files.createDirectories(dataDir);
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(settings.embeddedDbPort())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // The library turns both off, right for tests and wrong for a panel that keeps
                    // its data: a later -c wins over its -F.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    // The launcher stops PostgreSQL itself, after the apps; the library's own hook
                    // would stop it at once, under apps still writing.
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("could not start the embedded PostgreSQL on port " + settings.embeddedDbPort()
                    + " with data in " + dataDir + " (" + e.getMessage() + "); set GATEHOUSE_EMBEDDED_DB_PORT"
                    + " to a free port or GATEHOUSE_DB_URL to use a server", e);
        }
        createDatabaseIfMissing(postgres.getJdbcUrl("postgres", "postgres"));
        return postgres.getJdbcUrl("postgres", DATABASE).replaceFirst("\\?.*$", "");
    }

    /** Starts Redis (unless an external one is configured) and returns the redis:// URL to use. */
    String startRedis(LauncherSettings settings) {
        if (settings.externalRedisUrl() != null) {
            return settings.externalRedisUrl();
        }
        Path dataDir = settings.home().resolve("redis");
        try {
            Files.createDirectories(dataDir);
            redis = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(settings.embeddedRedisPort())
                    .setting("dir " + dataDir)
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    // Likewise stopped by the launcher, after the apps.
                    .onShutdownForceStop(false)
                    .build();
            redis.start();
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("could not start the embedded Redis on port " + settings.embeddedRedisPort()
                    + " (" + e.getMessage() + "); set GATEHOUSE_EMBEDDED_REDIS_PORT to a free port"
                    + " or GATEHOUSE_REDIS_URL to use a server", e);
        }
        return "redis://127.0.0.1:" + settings.embeddedRedisPort();
    }

    private static void createDatabaseIfMissing(String adminUrl) {
        try (Connection c = DriverManager.getConnection(adminUrl)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new LaunchException("could not create the database '" + DATABASE + "' (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                System.err.println("gatehouse: Redis did not stop cleanly: " + e.getMessage());
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("gatehouse: PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}

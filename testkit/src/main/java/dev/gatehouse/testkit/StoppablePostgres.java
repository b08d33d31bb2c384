package dev.gatehouse.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
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
 * A PostgreSQL server of one test's own (embedded binaries) that the test stops and starts again, on
 * the same port and data folder: an outage of the database, not of a connection. Data survives
 * the restart (fsync on), as it would on a real server.
 */
public final class StoppablePostgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private StoppablePostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A new server on a free port with an empty data folder, started and accepting connections. */
    public static StoppablePostgres start() throws IOException {
        StoppablePostgres postgres = new StoppablePostgres(Files.createTempDirectory("gh-stoppable-pg"), Ports.free());
        postgres.startAgain();
        return postgres;
    }

    /** Stops the server (a fast shutdown: open sessions are ended) and waits until it is gone. */
    public synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the server again on the same port and data; returns once it accepts connections. */
    public synchronized void startAgain() throws IOException {
        if (server != null) {
            return;
        }
        server = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setRegisterShutdownHook(false)
                .start();
    }

    public int port() {
        return port;
    }

    /** A new database with the Gatehouse migrations applied. */
    public TestDatabase createMigratedDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        TestDatabase db = new TestDatabase(name, url(name), "postgres", "");
        TestPostgres.migrate(db);
        return db;
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops the server and removes its data folder. */
    @Override
    public void close() throws IOException {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

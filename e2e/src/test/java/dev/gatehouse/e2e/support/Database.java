package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Ports;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A PostgreSQL server of the test's own (embedded binaries from Maven Central), so that the test can
 * stop and start it like an operator's database going down and coming back: same port, same data.
 */
public final class Database implements AutoCloseable {

    public static final String NAME = "gatehouse";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private Database(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public static Database start() throws IOException, SQLException {
        Database db = new Database(Files.createTempDirectory("e2e-postgres"), Ports.free());
        db.up();
        try (Connection c = DriverManager.getConnection(db.url("postgres"), "postgres", "")) {
            c.createStatement().execute("CREATE DATABASE " + NAME);
        }
        return db;
    }

    /** Starts the server on its port and data folder (again, after {@link #down()}). */
    public void up() throws IOException {
        server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60)).setRegisterShutdownHook(true).start();
    }

    /** Stops the server (a fast shutdown: open connections are ended). */
    public void down() throws IOException {
        server.close();
        server = null;
    }

    public String jdbcUrl() {
        return url(NAME);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    /** The first column of the first row, as a long. */
    public long number(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            down();
        }
    }
}

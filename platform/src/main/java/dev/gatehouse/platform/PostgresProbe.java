package dev.gatehouse.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.Driver;

/** Opens and closes one connection to tell whether the configured PostgreSQL answers. */
final class PostgresProbe {

    private static final int TIMEOUT_SECONDS = 5;

    private PostgresProbe() {
    }

    static Optional<String> problem(String url, String user, String password) {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", String.valueOf(TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", String.valueOf(TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", String.valueOf(TIMEOUT_SECONDS));
        try (Connection ignored = new Driver().connect(url, props)) {
            if (ignored == null) {
                return Optional.of("the database URL " + url + " is not a PostgreSQL JDBC URL;"
                        + " set GATEHOUSE_DB_URL (spring.datasource.url) to jdbc:postgresql://HOST:PORT/DB");
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("cannot reach PostgreSQL at " + withoutCredentials(url) + " (" + firstLine(e) + ");"
                    + " set GATEHOUSE_DB_URL, GATEHOUSE_DB_USER and GATEHOUSE_DB_PASSWORD"
                    + " (spring.datasource.*) to a reachable server");
        }
    }

    private static String withoutCredentials(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }
}

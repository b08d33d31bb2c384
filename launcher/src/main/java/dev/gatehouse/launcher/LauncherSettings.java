package dev.gatehouse.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the launcher keeps its data and which ports it uses, from the environment.
 *
 * @param root          the checkout holding the built app jars
 * @param home          data folder kept across restarts (embedded PostgreSQL and Redis, app logs)
 * @param externalDbUrl a PostgreSQL JDBC URL to use instead of the embedded server, or null
 * @param externalRedisUrl a Redis URL to use instead of the embedded server, or null
 * @param dataKey       GATEHOUSE_DATA_KEY when given; null: the data folder's own (made on first start)
 * @param collectorBindAddress where the collector's gRPC port listens; loopback unless set
 */
record LauncherSettings(
        Path root,
        Path home,
        String externalDbUrl,
        String dbUser,
        String dbPassword,
        String externalRedisUrl,
        int embeddedDbPort,
        int embeddedRedisPort,
        int controlApiPort,
        int collectorPort,
        int schedulerPort,
        String dataKey,
        String collectorBindAddress) {

    static LauncherSettings from(Path root, Map<String, String> env) {
        return new LauncherSettings(
                root,
                Path.of(env.getOrDefault("GATEHOUSE_HOME", root.resolve(".gatehouse-data").toString())).toAbsolutePath(),
                blankToNull(env.get("GATEHOUSE_DB_URL")),
                env.getOrDefault("GATEHOUSE_DB_USER", "postgres"),
                env.getOrDefault("GATEHOUSE_DB_PASSWORD", ""),
                blankToNull(env.get("GATEHOUSE_REDIS_URL")),
                port(env, "GATEHOUSE_EMBEDDED_DB_PORT", 15432),
                port(env, "GATEHOUSE_EMBEDDED_REDIS_PORT", 16379),
                port(env, "GATEHOUSE_CONTROL_API_PORT", 8080),
                port(env, "GATEHOUSE_COLLECTOR_HTTP_PORT", 8082),
                port(env, "GATEHOUSE_SCHEDULER_HTTP_PORT", 8083),
                blankToNull(env.get("GATEHOUSE_DATA_KEY")),
                env.getOrDefault("GATEHOUSE_COLLECTOR_BIND_ADDRESS", "127.0.0.1"));
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new LaunchException(name + " must be a port number from 1 to 65535, not '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}

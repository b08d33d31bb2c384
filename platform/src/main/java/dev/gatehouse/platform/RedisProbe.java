package dev.gatehouse.platform;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;

/** Connects and sends PING to tell whether the configured Redis answers. */
final class RedisProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private RedisProbe() {
    }

    static Optional<String> problem(String url) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("the Redis URL is not valid (" + PostgresProbe.firstLine(e) + ");"
                    + " set GATEHOUSE_REDIS_URL (spring.data.redis.url) to redis://HOST:PORT");
        }
        uri.setTimeout(TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().ping();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("cannot reach Redis at " + uri.getHost() + ":" + uri.getPort()
                    + " (" + PostgresProbe.firstLine(e) + "); set GATEHOUSE_REDIS_URL (spring.data.redis.url)"
                    + " to a reachable server");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}

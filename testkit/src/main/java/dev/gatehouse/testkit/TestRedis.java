package dev.gatehouse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.UUID;
import redis.embedded.RedisServer;

/**
 * Redis for tests: the server named by {@code GATEHOUSE_TEST_REDIS_URL} when set, otherwise one
 * embedded server per JVM. Tests share the server and keep apart through their own key prefix.
 */
public final class TestRedis {

    public static final String URL_ENV = "GATEHOUSE_TEST_REDIS_URL";

    private static TestRedis instance;

    private final String url;

    private TestRedis(String url) {
        this.url = url;
    }

    /** The server of this JVM, started or connected on first use. */
    public static synchronized TestRedis instance() {
        if (instance == null) {
            instance = connectOrStart();
        }
        return instance;
    }

    private static TestRedis connectOrStart() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            return new TestRedis(url);
        }
        try {
            int port = Ports.free();
            RedisServer server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(server), "embedded-redis-stop"));
            return new TestRedis("redis://127.0.0.1:" + port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Redis (set " + URL_ENV + " to use a server)", e);
        }
    }

    /** A redis:// URL. */
    public String url() {
        return url;
    }

    public String host() {
        return URI.create(url).getHost();
    }

    public int port() {
        int port = URI.create(url).getPort();
        return port < 0 ? 6379 : port;
    }

    /** A key prefix no other test uses, for tests that must not see each other's keys. */
    public static String uniqueKeyPrefix() {
        return "gh-test:" + UUID.randomUUID() + ":";
    }

    private static void stopQuietly(RedisServer server) {
        try {
            server.stop();
        } catch (IOException e) {
            // exiting anyway
        }
    }
}

package dev.gatehouse.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The messages published on one Redis channel of the test Redis, from the moment {@link #listen}
 * returns: SUBSCRIBE has been acknowledged by then, so nothing published afterwards is missed.
 */
public final class RedisChannel implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    private RedisChannel(String channel) {
        client = RedisClient.create(TestRedis.instance().url());
        connection = client.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                messages.add(message);
            }
        });
        connection.sync().subscribe(channel);
    }

    public static RedisChannel listen(String channel) {
        return new RedisChannel(channel);
    }

    /** The next message, or null after the timeout. */
    public String next(long timeout, TimeUnit unit) throws InterruptedException {
        return messages.poll(timeout, unit);
    }

    /** The next message that starts with {@code prefix}, skipping others; null after the timeout. */
    public String nextStartingWith(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            String message = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
            if (message == null || message.startsWith(prefix)) {
                return message;
            }
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}

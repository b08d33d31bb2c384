package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.config.RedisKeys;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.stereotype.Component;

/**
 * Token buckets in Redis (Bucket4j) for sign-in attempts, one per account and one per client
 * address. Every attempt takes a token; an empty bucket answers 429 with Retry-After. Kept in
 * Redis, a lockout outlives a restart of control-api and holds across its replicas. While Redis is
 * away the same limits are kept in this replica's memory instead: sign-in stays possible and stays
 * limited (per replica, from full buckets), never unlimited.
 */
@Component
class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    /** Buckets kept in memory while Redis is away; the least recently used go first. */
    private static final int LOCAL_BUCKETS = 50_000;

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final ProxyManager<byte[]> buckets;
    private final Limit perAccount;
    private final Limit perAddress;
    private final RedisKeys keys;
    private final Map<String, Bucket> local = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                    return size() > LOCAL_BUCKETS;
                }
            });
    private volatile boolean inMemory;

    private record Limit(int capacity, Duration refillPeriod, BucketConfiguration configuration) {
        static Limit of(int capacity, Duration refillPeriod) {
            return new Limit(capacity, refillPeriod, BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, refillPeriod))
                    .build());
        }

        Bucket localBucket() {
            return Bucket.builder().addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, refillPeriod))
                    .build();
        }
    }

    LoginThrottle(DataRedisProperties redis, ControlApiProperties properties, RedisKeys keys) {
        this.keys = keys;
        Duration timeout = Optional.ofNullable(redis.getTimeout()).orElse(Duration.ofSeconds(1));
        RedisURI uri = RedisURI.create(redis.getUrl());
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        // As every Redis client here: fail at once while disconnected, never wait Lettuce's 60 s.
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Optional.ofNullable(redis.getConnectTimeout()).orElse(timeout)).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.buckets = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofMinutes(5)))
                .build();
        ControlApiProperties.Login login = properties.login();
        this.perAccount = Limit.of(login.accountCapacity(), login.accountRefillPeriod());
        this.perAddress = Limit.of(login.addressCapacity(), login.addressRefillPeriod());
    }

    /** Takes a token for the account and for the address; 429 when either is spent. */
    void attempt(String accountKey, String address) {
        take(keys.key("login:address:" + address), perAddress);
        take(keys.key("login:account:" + accountKey), perAccount);
    }

    private void take(String key, Limit limit) {
        ConsumptionProbe probe;
        try {
            probe = buckets.builder()
                    .build(key.getBytes(StandardCharsets.UTF_8), limit::configuration)
                    .tryConsumeAndReturnRemaining(1);
            if (inMemory) {
                inMemory = false;
                local.clear();
                log.info("sign-in limits are kept in Redis again");
            }
        } catch (RuntimeException e) {
            if (!inMemory) {
                inMemory = true;
                log.warn("Redis is unavailable ({}): sign-in limits are kept in this replica's memory until it is back",
                        e.getMessage());
            }
            probe = local.computeIfAbsent(key, k -> limit.localBucket()).tryConsumeAndReturnRemaining(1);
        }
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
            throw new ApiException(ErrorCode.RATE_LIMITED, "too many sign-in attempts; try again in " + seconds + "s",
                    Map.of("retry_after_seconds", seconds));
        }
    }

    @PreDestroy
    void close() {
        connection.close();
        client.shutdown();
    }
}

package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.config.RedisKeys;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.stereotype.Component;

/**
 * Token buckets in Redis (Bucket4j) for sign-in attempts, one per account and one per client
 * address. Every attempt takes a token; an empty bucket answers 429 with Retry-After. Kept in
 * Redis, a lockout outlives a restart of control-api and holds across its replicas.
 */
@Component
class LoginThrottle {

    private final RedisClient client;
    private final ProxyManager<byte[]> buckets;
    private final BucketConfiguration perAccount;
    private final BucketConfiguration perAddress;
    private final RedisKeys keys;

    LoginThrottle(DataRedisProperties redis, ControlApiProperties properties, RedisKeys keys) {
        this.keys = keys;
        this.client = RedisClient.create(redis.getUrl());
        this.buckets = Bucket4jLettuce.casBasedBuilder(client)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofMinutes(5)))
                .build();
        ControlApiProperties.Login login = properties.login();
        this.perAccount = config(login.accountCapacity(), login.accountRefillPeriod());
        this.perAddress = config(login.addressCapacity(), login.addressRefillPeriod());
    }

    private static BucketConfiguration config(int capacity, Duration refillPeriod) {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, refillPeriod))
                .build();
    }

    /** Takes a token for the account and for the address; 429 when either is spent. */
    void attempt(String accountKey, String address) {
        take(keys.key("login:address:" + address), perAddress);
        take(keys.key("login:account:" + accountKey), perAccount);
    }

    private void take(String key, BucketConfiguration configuration) {
        ConsumptionProbe probe = buckets.builder()
                .build(key.getBytes(StandardCharsets.UTF_8), () -> configuration)
                .tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
            throw new ApiException(ErrorCode.RATE_LIMITED, "too many sign-in attempts; try again in " + seconds + "s",
                    Map.of("retry_after_seconds", seconds));
        }
    }

    @PreDestroy
    void close() {
        client.shutdown();
    }
}

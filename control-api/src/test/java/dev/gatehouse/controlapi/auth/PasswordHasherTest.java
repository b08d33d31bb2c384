package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private static ControlApiProperties properties(int maxConcurrent) {
        return new ControlApiProperties(
                new ControlApiProperties.Tokens("i", "a", Duration.ofMinutes(15), Duration.ofDays(1),
                        Duration.ofSeconds(10), Duration.ofDays(30)),
                new ControlApiProperties.Passwords(19456, 2, 1, maxConcurrent, 10, 1024),
                new ControlApiProperties.Login(5, Duration.ofMinutes(5), 30, Duration.ofMinutes(1)),
                new ControlApiProperties.Network(List.of(), "X-Forwarded-For", List.of()),
                new ControlApiProperties.Http(1 << 20),
                new ControlApiProperties.Bootstrap(null, null), new ControlApiProperties.Enrollment("127.0.0.1:9443"));
    }

    @Test
    void hashesWithTheConfiguredArgon2idParameters() {
        PasswordHasher hasher = new PasswordHasher(properties(2), new SimpleMeterRegistry());
        String hash = hasher.hash("a long enough password");
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.matches("a long enough password", hash)).isTrue();
        assertThat(hasher.needsRehash(hash)).isFalse();
    }

    @Test
    void whenEveryPermitIsTakenAFurtherHashIsRefusedAsBusy() throws Exception {
        PasswordHasher hasher = new PasswordHasher(properties(1), new SimpleMeterRegistry(), Duration.ofMillis(200));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> hasher.withPermit(() -> {
            holding.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> hasher.hash("a long enough password"))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.BUSY));

        release.countDown();
        holder.join();
        assertThat(hasher.hash("a long enough password")).startsWith("$argon2id$");
    }
}

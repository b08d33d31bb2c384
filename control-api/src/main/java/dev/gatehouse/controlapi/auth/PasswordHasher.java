package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Argon2id password hashing (Spring Security over BouncyCastle) with explicit parameters. At most
 * a configured number of hashes run at once: each takes the configured memory, so a login flood
 * waits or is told to come back instead of exhausting the heap.
 */
@Component
public class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(10);

    private final Argon2PasswordEncoder encoder;
    private final Semaphore permits;
    private final String dummyHash;
    private final Counter verifications;
    private final Duration permitWait;

    @org.springframework.beans.factory.annotation.Autowired
    PasswordHasher(ControlApiProperties properties, MeterRegistry meters) {
        this(properties, meters, PERMIT_WAIT);
    }

    PasswordHasher(ControlApiProperties properties, MeterRegistry meters, Duration permitWait) {
        ControlApiProperties.Passwords p = properties.passwords();
        this.permitWait = permitWait;
        this.verifications = Counter.builder("gatehouse.password.verifications")
                .description("Argon2id verifications, real or for unknown accounts").register(meters);
        meters.gauge("gatehouse.password.hashes.waiting", this, h -> h.permits.getQueueLength());
        this.encoder = new Argon2PasswordEncoder(SALT_BYTES, HASH_BYTES, p.parallelism(), p.memoryKib(), p.iterations());
        this.permits = new Semaphore(p.maxConcurrentHashes(), true);
        this.dummyHash = encoder.encode("gatehouse-timing-equaliser");
    }

    public String hash(String password) {
        return withPermit(() -> encoder.encode(password));
    }

    public boolean matches(String password, String hash) {
        verifications.increment();
        return withPermit(() -> encoder.matches(password, hash));
    }

    /** Costs what a real check costs, for an account that does not exist. */
    void burnEquivalentTime(String password) {
        verifications.increment();
        withPermit(() -> encoder.matches(password, dummyHash));
    }

    /** True when the hash was made with weaker parameters than the current ones. */
    boolean needsRehash(String hash) {
        return encoder.upgradeEncoding(hash);
    }

    <T> T withPermit(Supplier<T> work) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(permitWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ApiException(ErrorCode.BUSY, "too many sign-ins at once; try again in a few seconds");
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }
}

package dev.gatehouse.controlapi.database;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether control-api takes PostgreSQL as reachable: a Resilience4j circuit breaker over taking a
 * connection from the pool. Connection failures open it; while open, asking for a connection fails
 * at once (the request is answered 503) instead of waiting out the pool's timeout. After
 * {@link #OPEN_FOR} a couple of trial requests go through, and their success closes it again.
 */
public final class DatabaseCircuit {

    /** How long the circuit stays open before trial requests; also the Retry-After clients get. */
    public static final Duration OPEN_FOR = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(DatabaseCircuit.class);

    private final CircuitBreakerRegistry registry;
    private final CircuitBreaker breaker;

    DatabaseCircuit() {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(OPEN_FOR)
                .permittedNumberOfCallsInHalfOpenState(2)
                // A trial that never reports back (it cannot happen here, but) must not hold the circuit half open.
                .maxWaitDurationInHalfOpenState(Duration.ofSeconds(10))
                .build();
        this.registry = CircuitBreakerRegistry.of(config);
        this.breaker = registry.circuitBreaker("database");
        breaker.getEventPublisher().onStateTransition(e -> {
            switch (e.getStateTransition().getToState()) {
                case OPEN -> log.warn("PostgreSQL is unreachable: requests that need it are answered 503 for {} s,"
                        + " then tried again", OPEN_FOR.toSeconds());
                case CLOSED -> log.info("PostgreSQL is reachable again");
                default -> log.info("database circuit: {}", e.getStateTransition());
            }
        });
    }

    /** A connection from {@code pool}, or {@link DatabaseUnavailableException} at once while the circuit is open. */
    Connection connect(ConnectionSource pool) throws SQLException {
        if (!breaker.tryAcquirePermission()) {
            throw new DatabaseUnavailableException();
        }
        long started = System.nanoTime();
        try {
            Connection connection = pool.get();
            breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return connection;
        } catch (SQLException | RuntimeException | Error e) {
            if (DatabaseOutage.isConnectionFailure(e)) {
                breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
            } else {
                // A full pool under load says nothing about PostgreSQL: not counted either way.
                breaker.releasePermission();
            }
            throw e;
        }
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    CircuitBreakerRegistry registry() {
        return registry;
    }

    /** Where {@link #connect} takes its connection from. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection get() throws SQLException;
    }
}

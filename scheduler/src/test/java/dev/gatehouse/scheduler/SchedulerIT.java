package dev.gatehouse.scheduler;

import dev.gatehouse.scheduler.job.JobRunner;
import dev.gatehouse.scheduler.job.ScheduledTask;
import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.MutableClock;
import dev.gatehouse.testkit.TestPostgres;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Base of the scheduler's integration tests: one context per test JVM on a migrated PostgreSQL
 * database and the test Redis, a clock the tests move, and Quartz not started: a test runs a job
 * through {@link #run(String)}, exactly as Quartz would, when it wants.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.quartz.auto-startup=false",
        "gatehouse.scheduler.webhooks.timeout=1s",
        "gatehouse.scheduler.webhooks.first-backoff=2s",
        "gatehouse.scheduler.webhooks.max-attempts=3",
        // The test endpoints listen on loopback.
        "gatehouse.scheduler.webhooks.allow-private-addresses=true"})
@Import(SchedulerIT.TestClock.class)
public abstract class SchedulerIT {

    protected static final MutableClock CLOCK = new MutableClock();
    protected static final String DATA_KEY;

    static {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        DATA_KEY = Base64.getEncoder().encodeToString(key);
    }

    @TestConfiguration
    static class TestClock {
        @Bean
        Clock testClock() {
            return CLOCK;
        }
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected TransactionTemplate tx;
    @Autowired
    protected JobRunner runner;
    @Autowired
    protected List<ScheduledTask> tasks;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("scheduler", true));
        registry.add("gatehouse.domain.redis-namespace", () -> "gh-scheduler-" + UUID.randomUUID());
        registry.add("gatehouse.domain.data-key", () -> DATA_KEY);
    }

    @AfterEach
    void realTime() {
        CLOCK.reset();
    }

    protected Fixtures fixtures() {
        return new Fixtures(jdbc, tx);
    }

    /** Runs the named job once, as Quartz would. */
    protected JobRunner.Run run(String job) {
        return runner.run(task(job));
    }

    protected ScheduledTask task(String job) {
        return tasks.stream().filter(t -> t.name().equals(job)).findFirst().orElseThrow();
    }
}

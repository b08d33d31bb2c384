package dev.gatehouse.platform;

import java.util.Optional;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Before anything else starts, checks that the database and Redis the app is configured for answer.
 * If one does not, the app exits with one line naming the setting to fix, instead of a page of
 * stack traces from the connection pool.
 */
final class DependencyCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final String ENABLED_PROPERTY = "gatehouse.startup-check.enabled";

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        Environment env = event.getEnvironment();
        if (!env.getProperty(ENABLED_PROPERTY, Boolean.class, true)) {
            return;
        }
        String app = env.getProperty("spring.application.name", "gatehouse");
        firstProblem(env).ifPresent(problem -> {
            System.err.println(app + ": " + problem);
            System.exit(1);
        });
    }

    /** The first unreachable dependency, as one sentence for an operator; empty when all answer. */
    static Optional<String> firstProblem(Environment env) {
        String dbUrl = env.getProperty("spring.datasource.url");
        if (dbUrl != null && !dbUrl.isBlank() && ClassUtils.isPresent("org.postgresql.Driver", null)) {
            Optional<String> db = PostgresProbe.problem(dbUrl,
                    env.getProperty("spring.datasource.username"), env.getProperty("spring.datasource.password"));
            if (db.isPresent()) {
                return db;
            }
        }
        String redisUrl = env.getProperty("spring.data.redis.url");
        if (redisUrl != null && !redisUrl.isBlank() && ClassUtils.isPresent("io.lettuce.core.RedisClient", null)) {
            return RedisProbe.problem(redisUrl);
        }
        return Optional.empty();
    }
}

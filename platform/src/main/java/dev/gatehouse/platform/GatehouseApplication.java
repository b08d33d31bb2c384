package dev.gatehouse.platform;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a Gatehouse app the same way everywhere: log format, then dependency checks, then Spring. */
public final class GatehouseApplication {

    /** Set to {@code json} for one JSON object per log line (logstash-logback-encoder). */
    public static final String LOG_FORMAT_ENV = "GATEHOUSE_LOG_FORMAT";
    static final String JSON_LOGS_PROFILE = "json-logs";

    private GatehouseApplication() {
    }

    public static ConfigurableApplicationContext run(Class<?> source, String... args) {
        return create(source).run(args);
    }

    /** The application, set up like every Gatehouse app, for a caller that adds to it before running. */
    public static SpringApplication create(Class<?> source) {
        SpringApplication app = new SpringApplication(source);
        if ("json".equalsIgnoreCase(System.getenv(LOG_FORMAT_ENV))) {
            app.setAdditionalProfiles(JSON_LOGS_PROFILE);
        }
        app.addListeners(new DependencyCheck());
        return app;
    }
}

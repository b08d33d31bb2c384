package dev.gatehouse.scheduler;

import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Periodic jobs: partitions, rollups, lifecycle sweeps and resets, reconciliation, key rotation, notifications. */
@SpringBootApplication
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerApplication {

    public static void main(String[] args) {
        GatehouseApplication.run(SchedulerApplication.class, args);
    }
}

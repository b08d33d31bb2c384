package dev.gatehouse.scheduler;

import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Periodic jobs: partitions, rollups, quota, expiry and resets, reconciliation, key rotation. */
@SpringBootApplication
public class SchedulerApplication {

    public static void main(String[] args) {
        GatehouseApplication.run(SchedulerApplication.class, args);
    }
}

package dev.gatehouse.collector;

import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The endpoint every node agent holds its one session with: traffic in, desired state out. */
@SpringBootApplication
public class CollectorApplication {

    public static void main(String[] args) {
        GatehouseApplication.run(CollectorApplication.class, args);
    }
}

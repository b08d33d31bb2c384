package dev.gatehouse.platform;

import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;

/** A minimal app started the Gatehouse way, for tests that need a real process. */
@SpringBootConfiguration
public class ProbeApp {

    public static void main(String[] args) {
        GatehouseApplication.run(ProbeApp.class, "--spring.main.web-application-type=none",
                "--spring.application.name=probe").close();
        LoggerFactory.getLogger(ProbeApp.class).info("probe finished");
    }
}

package dev.gatehouse.controlapi;

import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The control plane's REST API: auth, RBAC, tenants, users, plans, subscriptions, nodes, configs. */
@SpringBootApplication
public class ControlApiApplication {

    public static void main(String[] args) {
        GatehouseApplication.run(ControlApiApplication.class, args);
    }
}

package dev.gatehouse.nodeagent;

import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The agent on every edge server: drives the Xray/V2Fly and WireGuard cores and counts their traffic. */
@SpringBootApplication
public class NodeAgentApplication {

    public static void main(String[] args) {
        GatehouseApplication.run(NodeAgentApplication.class, args);
    }
}

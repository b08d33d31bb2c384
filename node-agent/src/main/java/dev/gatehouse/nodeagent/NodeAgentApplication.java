package dev.gatehouse.nodeagent;

import dev.gatehouse.nodeagent.cli.AgentCommand;
import dev.gatehouse.platform.GatehouseApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The agent on every edge server: drives the Xray/V2Fly and WireGuard cores and counts their
 * traffic. {@code main} is the command line ({@code enroll}, {@code run}, {@code status}); {@code run}
 * starts this application, which serves health and metrics on loopback while the agent works.
 */
@SpringBootApplication
public class NodeAgentApplication {

    public static void main(String[] args) {
        int code = AgentCommand.execute(args, System.getenv());
        if (code != 0 || args.length == 0 || !"run".equals(args[0])) {
            System.exit(code);
        }
    }

    /** The core binary managed mode runs (see {@code AgentConfiguration}); one readable line when there is none. */
    public static java.nio.file.Path coreBinary(String configured) {
        return AgentConfiguration.Engines.coreBinary(configured);
    }

    /** Starts the agent with resolved settings; returns once it has started (it runs until stopped). */
    public static void runAgent(AgentOptions options) {
        SpringApplication app = GatehouseApplication.create(NodeAgentApplication.class);
        app.addInitializers(context -> context.getBeanFactory().registerSingleton("agentOptions", options));
        // As command-line properties: above application.yml's defaults.
        app.run("--server.address=" + options.httpAddress(), "--server.port=" + options.httpPort(),
                "--" + AgentConfiguration.ENABLED + "=true");
    }
}

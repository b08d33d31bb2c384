package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An interface of the kernel module: it exists while its link does, and goes with {@code ip link del}. */
record KernelInterface(String name, Commands commands) implements OwnedInterface {

    private static final Logger log = LoggerFactory.getLogger(KernelInterface.class);

    @Override
    public Flavour flavour() {
        return Flavour.KERNEL;
    }

    @Override
    public boolean running() {
        return commands.succeeds("ip", "link", "show", "dev", name);
    }

    @Override
    public void stop() {
        try {
            commands.check("ip", "link", "del", "dev", name);
        } catch (EngineException e) {
            log.warn("cannot remove the WireGuard interface {}: {}", name, e.getMessage());
        }
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.WireGuardInterface;
import java.util.regex.Pattern;

/**
 * The node's interface as the panel configures it, checked before anything is created. The panel's
 * {@code dns} and {@code persistent_keepalive} are not here: they go into the clients'
 * configuration, not the server's interface.
 *
 * @param panelPublicKey the key the panel gives clients for this node; empty when it has none yet
 */
record InterfaceSpec(String name, int listenPort, Cidr address, String panelPublicKey) {

    /** What wg-quick accepts, within the kernel's 15 characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_=+.-]{1,15}");

    static InterfaceSpec of(NodeConfig config) throws EngineException {
        if (!config.hasWireguard()) {
            throw new EngineException("the node configuration has no WireGuard interface", true);
        }
        WireGuardInterface wg = config.getWireguard();
        if (!NAME.matcher(wg.getInterfaceName()).matches()) {
            throw new EngineException("interface name '" + wg.getInterfaceName()
                    + "' is not 1 to 15 of A-Z a-z 0-9 _ = + . -", true);
        }
        if (wg.getListenPort() < 1 || wg.getListenPort() > 65535) {
            throw new EngineException("listen port " + wg.getListenPort() + " is not between 1 and 65535", true);
        }
        if (wg.getAddress().isEmpty()) {
            throw new EngineException("the node configuration gives interface " + wg.getInterfaceName()
                    + " no address: without one, replies to clients have no route", true);
        }
        try {
            return new InterfaceSpec(wg.getInterfaceName(), wg.getListenPort(), Cidr.parse(wg.getAddress()),
                    wg.getPublicKey());
        } catch (IllegalArgumentException e) {
            throw new EngineException("interface address " + e.getMessage(), true);
        }
    }
}

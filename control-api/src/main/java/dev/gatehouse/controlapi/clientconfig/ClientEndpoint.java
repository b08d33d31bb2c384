package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.node.NodeEngineSettings;
import java.util.UUID;

/**
 * One place a person may connect: a node, one of its engines (for Xray, one inbound), and the
 * person's credential there. Every client format is rendered from a list of these.
 *
 * @param inbound    the Xray inbound; null for WireGuard
 * @param wireguard  the node's WireGuard settings; null for Xray
 */
record ClientEndpoint(UUID subscriptionId,
                      UUID nodeId,
                      String nodeName,
                      String address,
                      Engine engine,
                      NodeEngineSettings.Inbound inbound,
                      NodeEngineSettings.WireGuard wireguard,
                      UUID xrayId,
                      String xrayFlow,
                      String wgPrivateKey,
                      String wgPresharedKey,
                      String wgAddress) {

    /** The name a client app shows for this endpoint. */
    String remark() {
        return nodeName + (inbound != null ? " " + inbound.protocol() + "-" + inbound.tag() : " wireguard");
    }
}

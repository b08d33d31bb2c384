package dev.gatehouse.nodeagent.engine.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.WireGuardInterface;
import org.junit.jupiter.api.Test;

class InterfaceSpecTest {

    private static NodeConfig config(String name, int port, String address) {
        return NodeConfig.newBuilder().setWireguard(WireGuardInterface.newBuilder().setInterfaceName(name)
                .setListenPort(port).setAddress(address)).build();
    }

    @Test
    void theInterfaceKeepsItsOwnHostAddress() throws EngineException {
        InterfaceSpec spec = InterfaceSpec.of(config("wg0", 51820, "10.66.0.1/16"));

        assertThat(spec.address()).hasToString("10.66.0.1/16");
        assertThat(spec.listenPort()).isEqualTo(51820);
    }

    @Test
    void aConfigurationTheInterfaceCannotHaveIsRefusedForGood() {
        assertPermanent(NodeConfig.getDefaultInstance(), "no WireGuard interface");
        assertPermanent(config("", 51820, "10.66.0.1/16"), "interface name");
        assertPermanent(config("a-name-too-long-", 51820, "10.66.0.1/16"), "interface name");
        assertPermanent(config("wg 0", 51820, "10.66.0.1/16"), "interface name");
        assertPermanent(config("wg0", 0, "10.66.0.1/16"), "listen port");
        assertPermanent(config("wg0", 65536, "10.66.0.1/16"), "listen port");
        assertPermanent(config("wg0", 51820, ""), "no address");
        assertPermanent(config("wg0", 51820, "10.66.0.1"), "10.66.0.1");
    }

    private static void assertPermanent(NodeConfig config, String reason) {
        assertThatThrownBy(() -> InterfaceSpec.of(config)).isInstanceOfSatisfying(EngineException.class,
                e -> assertThat(e.permanent()).isTrue()).hasMessageContaining(reason);
    }
}

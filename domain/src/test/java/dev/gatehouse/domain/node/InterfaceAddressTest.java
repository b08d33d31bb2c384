package dev.gatehouse.domain.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InterfaceAddressTest {

    @Test
    void theNodesInterfaceTakesThePoolsFirstHostWithItsPrefix() {
        assertThat(NodeEngineSettings.interfaceAddress("10.66.0.0/16")).isEqualTo("10.66.0.1/16");
        assertThat(NodeEngineSettings.interfaceAddress("10.64.0.0/14")).isEqualTo("10.64.0.1/14");
        assertThat(NodeEngineSettings.interfaceAddress("192.168.7.255/32")).isEqualTo("192.168.8.0/32");
        assertThat(NodeEngineSettings.interfaceAddress("fd00:66::/64")).isEqualTo("fd00:66:0:0:0:0:0:1/64");
    }

    @Test
    void aRangeThatIsNoCidrIsRefused() {
        assertThatThrownBy(() -> NodeEngineSettings.interfaceAddress("10.66.0.0"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

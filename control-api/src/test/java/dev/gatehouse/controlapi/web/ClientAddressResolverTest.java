package dev.gatehouse.controlapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ClientAddressResolverTest {

    private static ClientAddressResolver resolver(String header) {
        return new ClientAddressResolver(new ControlApiProperties(null, null, null,
                new ControlApiProperties.Network(List.of("10.0.0.0/8"), header, List.of()), null, null, null));
    }

    private static MockHttpServletRequest from(String peer) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(peer);
        return request;
    }

    @Test
    void onlyTheConfiguredHeaderOfATrustedProxyNamesTheClient() {
        MockHttpServletRequest request = from("10.0.0.5");
        request.addHeader("Forwarded", "for=192.0.2.1");
        request.addHeader("X-Real-IP", "192.0.2.2");
        request.addHeader("X-Forwarded-For", "198.51.100.9, 10.0.0.7");
        assertThat(resolver("X-Forwarded-For").resolve(request).getHostAddress()).isEqualTo("198.51.100.9");
        assertThat(resolver("Forwarded").resolve(request).getHostAddress()).isEqualTo("192.0.2.1");
    }

    @Test
    void anRfc7239ChainIsReadFromTheRightWithPortsAndBracketsRemoved() {
        MockHttpServletRequest request = from("10.0.0.5");
        request.addHeader("Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8::5]:4711\", for=10.1.2.3");
        request.addHeader("X-Forwarded-For", "192.0.2.99");
        assertThat(resolver("forwarded").resolve(request).getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:5");
    }

    @Test
    void noHeaderOrAnUntrustedPeerLeavesThePeerItself() {
        MockHttpServletRequest untrusted = from("192.0.2.200");
        untrusted.addHeader("X-Forwarded-For", "198.51.100.1");
        assertThat(resolver("X-Forwarded-For").resolve(untrusted).getHostAddress()).isEqualTo("192.0.2.200");
        MockHttpServletRequest none = from("10.0.0.5");
        none.addHeader("Forwarded", "for=198.51.100.1");
        assertThat(resolver("X-Forwarded-For").resolve(none).getHostAddress()).isEqualTo("10.0.0.5");
    }
}

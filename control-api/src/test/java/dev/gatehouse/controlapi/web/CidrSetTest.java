package dev.gatehouse.controlapi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrSetTest {

    private final CidrSet set = CidrSet.parse("test", List.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32",
            "::ffff:198.51.100.0/120"));

    @Test
    void matchesIpv4AndIpv6Ranges() {
        assertThat(set.contains(CidrSet.literal("10.20.30.40"))).isTrue();
        assertThat(set.contains(CidrSet.literal("11.0.0.1"))).isFalse();
        assertThat(set.contains(CidrSet.literal("192.0.2.7"))).isTrue();
        assertThat(set.contains(CidrSet.literal("192.0.2.8"))).isFalse();
        assertThat(set.contains(CidrSet.literal("2001:db8:1::1"))).isTrue();
        assertThat(set.contains(CidrSet.literal("2001:db9::1"))).isFalse();
    }

    @Test
    void ipv4MappedIpv6IsTheIpv4AddressItCarriesBothWays() {
        assertThat(set.contains(CidrSet.literal("::ffff:10.1.2.3"))).isTrue();
        assertThat(set.contains(CidrSet.literal("::ffff:11.1.2.3"))).isFalse();
        // The range was written mapped; a plain IPv4 address in it matches.
        assertThat(set.contains(CidrSet.literal("198.51.100.9"))).isTrue();
    }

    @Test
    void literalsNeverLookUpNames() {
        assertThat(CidrSet.literal("example.com")).isNull();
        assertThat(CidrSet.literal("999.1.1.1")).isNull();
        assertThat(CidrSet.literal("1.2.3")).isNull();
        assertThat(CidrSet.literal("")).isNull();
        assertThat(CidrSet.literal("[2001:db8::1]")).isNotNull();
    }

    @Test
    void aBadRangeFailsAtStartNamingTheSetting() {
        assertThatThrownBy(() -> CidrSet.parse("gatehouse.x", List.of("10.0.0.0/33")))
                .hasMessageContaining("gatehouse.x").hasMessageContaining("prefix");
        assertThatThrownBy(() -> CidrSet.parse("gatehouse.x", List.of("not-an-address")))
                .hasMessageContaining("gatehouse.x");
    }
}

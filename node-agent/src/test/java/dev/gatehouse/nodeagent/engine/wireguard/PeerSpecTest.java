package dev.gatehouse.nodeagent.engine.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.WireGuardCredential;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerSpecTest {

    private static final String KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    private static final String PSK = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";

    static Credential credential(String publicKey, String psk, String... allowedIps) {
        return Credential.newBuilder().setCredentialId("c1").setUserId("u1").setEngine(Engine.ENGINE_WIREGUARD)
                .setWireguard(WireGuardCredential.newBuilder().setPublicKey(publicKey).setPresharedKey(psk)
                        .addAllAllowedIps(List.of(allowedIps)))
                .build();
    }

    @Test
    void aWellFormedCredentialIsTakenAsWritten() throws EngineException {
        PeerSpec peer = PeerSpec.of(credential(KEY, PSK, "10.66.0.2/32", "fd00:66::2/128"));

        assertThat(peer.allowedIps()).containsExactly("10.66.0.2/32", "fd00:66::2/128");
        assertThat(peer.toString()).contains(KEY).doesNotContain(PSK);
    }

    @Test
    void allowedIpsCompareAsWgStoresThem() throws EngineException {
        PeerSpec written = PeerSpec.of(credential(KEY, "", "10.66.0.2/32", "fd00:66:0::2/128", "10.67.1.9/16"));
        PeerSpec asPrinted = PeerSpec.of(credential(KEY, "", "fd00:66::2/128", "10.67.0.0/16", "10.66.0.2/32"));

        assertThat(written.sameAs(asPrinted)).isTrue();
        assertThat(written.sameAs(PeerSpec.of(credential(KEY, PSK, "10.66.0.2/32", "fd00:66::2/128", "10.67.0.0/16"))))
                .as("another preshared key").isFalse();
        assertThat(written.sameAs(PeerSpec.of(credential(KEY, "", "10.66.0.3/32", "fd00:66::2/128", "10.67.0.0/16"))))
                .as("another address").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-a-key", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg",
            "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            " TIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="})
    void aMalformedPublicKeyIsRefusedForGood(String key) {
        assertPermanent(credential(key, "", "10.66.0.2/32"), "public key");
    }

    @Test
    void aMalformedPresharedKeyIsRefusedForGoodWithoutQuotingIt() {
        assertThatThrownBy(() -> PeerSpec.of(credential(KEY, "secret-but-short", "10.66.0.2/32")))
                .isInstanceOf(EngineException.class).hasMessageContaining("preshared key")
                .hasMessageNotContaining("secret-but-short");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.66.0.300/32", "10.66.0.2/33", "10.66.0.2", "10.66.0/24", "010.66.0.2/32",
            "10.66.0.2/032", "example.com/32", "localhost/32", ".:1/64", "fd00::2/129", "fd00::g/64",
            "fe80::1%eth0/64", "::ffff:10.0.0.1/128", "10.66.0.2/32/1", "10.66.0.2/", "/32", "10.66.0.2/-1"})
    void aMalformedAllowedIpIsRefusedForGood(String ip) {
        assertPermanent(credential(KEY, "", "10.66.0.2/32", ip), ip);
    }

    @Test
    void aCredentialWithoutAllowedIpsOrWireGuardSettingsIsRefusedForGood() {
        assertPermanent(credential(KEY, ""), "no allowed IPs");
        assertPermanent(Credential.newBuilder().setCredentialId("c1").build(), "no WireGuard settings");
    }

    private static void assertPermanent(Credential credential, String reason) {
        assertThatThrownBy(() -> PeerSpec.of(credential)).isInstanceOfSatisfying(EngineException.class,
                e -> assertThat(e.permanent()).isTrue()).hasMessageContaining(reason);
    }
}

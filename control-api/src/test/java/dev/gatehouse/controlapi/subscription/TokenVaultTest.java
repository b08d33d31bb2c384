package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.domain.support.DataKey;
import org.junit.jupiter.api.Test;

class TokenVaultTest {

    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @Test
    void sealedTokensOpenOnlyForTheirOwnSubscription() {
        TokenVault vault = new TokenVault(DataKey.of(KEY));
        byte[] sealed = vault.seal("ghs_secret", "sub-1");
        assertThat(vault.open(sealed, "sub-1")).contains("ghs_secret");
        assertThat(vault.open(sealed, "sub-2")).isEmpty();
        sealed[sealed.length - 1] ^= 1;
        assertThat(vault.open(sealed, "sub-1")).isEmpty();
    }

    @Test
    void withoutAKeyNothingIsKept() {
        TokenVault vault = new TokenVault(DataKey.of(""));
        assertThat(vault.enabled()).isFalse();
        assertThat(vault.seal("ghs_secret", "sub-1")).isNull();
        assertThat(vault.open(new byte[40], "sub-1")).isEmpty();
    }

    @Test
    void aBadKeyStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> DataKey.of("c2hvcnQ=")).hasMessageContaining("GATEHOUSE_DATA_KEY")
                .hasMessageContaining("32");
        assertThatThrownBy(() -> DataKey.of("not base64!")).hasMessageContaining("GATEHOUSE_DATA_KEY");
    }
}

package dev.gatehouse.controlapi.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.domain.support.DataKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A webhook's secret: 32 random bytes as unpadded base64url, sealed to its webhook; nothing without a data key. */
class WebhookSecretsTest {

    private static final DataKey KEY = DataKey.of(Base64.getEncoder().encodeToString(new byte[32]));

    @Test
    void aSecretIsThirtyTwoRandomBytesSealedToItsWebhook() {
        WebhookSecrets secrets = new WebhookSecrets(KEY);
        UUID webhook = UUID.randomUUID();
        WebhookSecrets.Issued first = secrets.issue(webhook);
        WebhookSecrets.Issued second = secrets.issue(webhook);

        assertThat(first.secret()).matches("^[A-Za-z0-9_-]{43}$").isNotEqualTo(second.secret());
        assertThat(Base64.getUrlDecoder().decode(first.secret())).hasSize(32);
        assertThat(KEY.open(first.sealed(), webhook.toString().getBytes(StandardCharsets.UTF_8)))
                .hasValueSatisfying(plain -> assertThat(plain).isEqualTo(first.secret().getBytes(StandardCharsets.UTF_8)));
        assertThat(KEY.open(first.sealed(), UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(first.toString()).doesNotContain(first.secret());
    }

    @Test
    void withoutADataKeyNoSecretIsMade() {
        WebhookSecrets secrets = new WebhookSecrets(DataKey.absent());
        assertThatThrownBy(() -> secrets.issue(UUID.randomUUID()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_CONFIGURED);
                    assertThat(e.getMessage()).contains("GATEHOUSE_DATA_KEY");
                });
    }
}

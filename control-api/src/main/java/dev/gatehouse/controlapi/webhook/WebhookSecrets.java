package dev.gatehouse.controlapi.webhook;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.domain.support.DataKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Makes the signing secrets of webhooks: 32 random bytes, handed to the client once as base64url
 * without padding, stored only sealed with the data key. What is sealed is that text's UTF-8 bytes,
 * bound to the webhook's id (its canonical text), which is exactly what the scheduler opens and
 * keys HMAC-SHA256 with.
 */
@Component
class WebhookSecrets {

    private static final int SECRET_BYTES = 32;

    private final DataKey key;
    private final SecureRandom random = new SecureRandom();

    WebhookSecrets(DataKey key) {
        this.key = key;
    }

    /** A new secret: the text for the client and the sealed bytes to store. */
    record Issued(String secret, byte[] sealed) {
        @Override
        public String toString() {
            return "Issued[secret hidden]";
        }
    }

    /** A new secret for the webhook; a not-configured problem without a data key, since it could not be kept. */
    Issued issue(UUID webhookId) {
        if (!key.present()) {
            throw new ApiException(ErrorCode.NOT_CONFIGURED,
                    "webhooks need the data key to keep their signing secrets: set GATEHOUSE_DATA_KEY"
                            + " (openssl rand -base64 32)");
        }
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        byte[] sealed = key.seal(secret.getBytes(StandardCharsets.UTF_8),
                webhookId.toString().getBytes(StandardCharsets.UTF_8));
        return new Issued(secret, sealed);
    }
}

package dev.gatehouse.controlapi.webhook;

import static dev.gatehouse.controlapi.web.TextRules.NOT_BLANK;

import dev.gatehouse.domain.model.NotificationKind;
import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of /webhooks. */
final class WebhookDtos {

    private WebhookDtos() {
    }

    /**
     * @param url     absolute http or https URL with a host; notifications are POSTed to it
     * @param events  the kinds of notification to deliver, at least one
     * @param enabled true when left out
     */
    record WebhookCreateRequest(@NotNull UUID tenantId,
                                @NotBlank @Size(max = 100) String name,
                                @NotBlank @Size(max = 2000) String url,
                                @NotEmpty @Size(max = 16) List<@NotNull NotificationKind> events,
                                @Schema(defaultValue = "true") Boolean enabled) {
    }

    /** Fields left out stay as they are; the secret changes only through its own call. */
    record WebhookUpdateRequest(@Size(min = 1, max = 100) @Pattern(regexp = NOT_BLANK, message = "must not be blank")
                                String name,
                                @Size(min = 1, max = 2000) String url,
                                @Size(min = 1, max = 16) List<@NotNull NotificationKind> events,
                                Boolean enabled) {
    }

    /** A webhook as shown after it was made; never its secret. */
    record WebhookResponse(UUID id, UUID tenantId, String name, String url, List<NotificationKind> events,
                           boolean enabled, Instant createdAt, Instant updatedAt) {

        static WebhookResponse of(Webhook w) {
            return new WebhookResponse(w.id(), w.tenantId(), w.name(), w.url(), w.events(), w.enabled(),
                    w.createdAt(), w.updatedAt());
        }
    }

    /**
     * A webhook and its signing secret, shown only here (at creation and rotation): deliveries carry
     * {@code X-Gatehouse-Signature: sha256=<hex HMAC-SHA256 of the body keyed with this text>}.
     */
    record WebhookWithSecret(WebhookResponse webhook,
                             @Schema(description = "43 base64url characters; shown once") String secret) {
    }

    /**
     * One delivery of a notification to the webhook.
     *
     * @param kind           the notification's kind
     * @param subjectId      the subscription or node the notification is about
     * @param nextAttemptAt  when the next attempt is due (while pending)
     * @param lastStatusCode the HTTP status the endpoint last answered; null when it did not answer
     */
    record WebhookDelivery(UUID id, UUID notificationId, NotificationKind kind, UUID subjectId,
                           WebhookDeliveryStatus status, int attempts, Instant nextAttemptAt, Instant lastAttemptAt,
                           Integer lastStatusCode, String lastError, Instant deliveredAt, Instant createdAt) {

        static WebhookDelivery of(WebhookRepository.Delivery d) {
            return new WebhookDelivery(d.id(), d.notificationId(), d.kind(), d.subjectId(), d.status(), d.attempts(),
                    d.nextAttemptAt(), d.lastAttemptAt(), d.lastStatusCode(), d.lastError(), d.deliveredAt(),
                    d.createdAt());
        }
    }
}

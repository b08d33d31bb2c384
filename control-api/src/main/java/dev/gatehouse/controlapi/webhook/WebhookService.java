package dev.gatehouse.controlapi.webhook;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import dev.gatehouse.domain.model.DbEnum;
import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Webhooks: where a tenant's notifications are delivered, their signing secrets, and what was delivered. */
@Service
class WebhookService {

    private static final Map<String, SortOrder.Field> SORTS = Map.of("name", SortOrder.Field.lowerCased("name"),
            "created_at", SortOrder.Field.of("createdAt"), "updated_at", SortOrder.Field.of("updatedAt"));

    private final WebhookRepository webhooks;
    private final WebhookSecrets secrets;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Clock clock;

    WebhookService(WebhookRepository webhooks, WebhookSecrets secrets, AccessPolicy access, AuditLog audit,
                   Clock clock) {
        this.webhooks = webhooks;
        this.secrets = secrets;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    Page<WebhookDtos.WebhookResponse> list(UUID tenant, String q, String sort, PageRequest page) {
        Sort order = SortOrder.sort(sort, SORTS, "name");
        Page<Webhook> found = webhooks.list(access.filter(Module.WEBHOOKS), tenant, q, order, page);
        return new Page<>(found.items().stream().map(WebhookDtos.WebhookResponse::of).toList(), found.total(), page);
    }

    @Transactional(readOnly = true)
    WebhookDtos.WebhookResponse get(UUID id) {
        return WebhookDtos.WebhookResponse.of(visible(id, Operation.READ));
    }

    @Transactional
    WebhookDtos.WebhookWithSecret create(WebhookDtos.WebhookCreateRequest request) {
        access.check(Module.WEBHOOKS, Operation.CREATE, request.tenantId(), null, "tenant");
        String name = request.name().trim();
        String url = checkedUrl(request.url());
        requireFreeName(request.tenantId(), name, null);
        UUID id = UUID.randomUUID();
        WebhookSecrets.Issued secret = secrets.issue(id);
        Webhook webhook = webhooks.save(new Webhook(id, request.tenantId(), name, url, request.events(),
                request.enabled() == null || request.enabled(), secret.sealed(), clock.instant()));
        WebhookDtos.WebhookResponse created = WebhookDtos.WebhookResponse.of(webhook);
        audit.record(request.tenantId(), "webhook.create", "webhook", id, null, created);
        return new WebhookDtos.WebhookWithSecret(created, secret.secret());
    }

    @Transactional
    WebhookDtos.WebhookResponse update(UUID id, WebhookDtos.WebhookUpdateRequest request) {
        Webhook webhook = visible(id, Operation.UPDATE);
        WebhookDtos.WebhookResponse before = WebhookDtos.WebhookResponse.of(webhook);
        String name = request.name() == null ? null : request.name().trim();
        String url = request.url() == null ? null : checkedUrl(request.url());
        if (name != null) {
            requireFreeName(webhook.tenantId(), name, id);
        }
        webhook.update(name, url, request.events(), request.enabled(), clock.instant());
        WebhookDtos.WebhookResponse after = WebhookDtos.WebhookResponse.of(webhooks.save(webhook));
        audit.record(webhook.tenantId(), "webhook.update", "webhook", id, before, after);
        return after;
    }

    /** A new secret, which signs the deliveries sent from now on. */
    @Transactional
    WebhookDtos.WebhookWithSecret rotateSecret(UUID id) {
        Webhook webhook = visible(id, Operation.UPDATE);
        WebhookSecrets.Issued secret = secrets.issue(id);
        webhook.replaceSecret(secret.sealed(), clock.instant());
        WebhookDtos.WebhookResponse after = WebhookDtos.WebhookResponse.of(webhooks.save(webhook));
        audit.record(webhook.tenantId(), "webhook.rotate_secret", "webhook", id, null, null);
        return new WebhookDtos.WebhookWithSecret(after, secret.secret());
    }

    @Transactional
    void delete(UUID id) {
        Webhook webhook = visible(id, Operation.DELETE);
        WebhookDtos.WebhookResponse before = WebhookDtos.WebhookResponse.of(webhook);
        webhooks.delete(webhook);
        audit.record(before.tenantId(), "webhook.delete", "webhook", id, before, null);
    }

    @Transactional(readOnly = true)
    Page<WebhookDtos.WebhookDelivery> deliveries(UUID id, String status, PageRequest page) {
        visible(id, Operation.READ);
        Page<WebhookRepository.Delivery> found = webhooks.deliveries(id, deliveryStatus(status), page);
        return new Page<>(found.items().stream().map(WebhookDtos.WebhookDelivery::of).toList(), found.total(), page);
    }

    private void requireFreeName(UUID tenantId, String name, UUID except) {
        if (webhooks.nameTaken(tenantId, name, except)) {
            throw ApiException.conflict("a webhook named '" + name + "' exists in this tenant");
        }
    }

    /** An absolute http or https URL with a host, as the scheduler can POST to; 400 naming url otherwise. */
    private static String checkedUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("url", "is not a valid URL");
        }
        // Lower-case schemes only: the stored form is what the database's check and the scheduler read.
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getHost().isEmpty()) {
            throw ApiException.invalid("url", "must be an absolute http or https URL with a host");
        }
        return text;
    }

    private static WebhookDeliveryStatus deliveryStatus(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return WebhookDeliveryStatus.fromDb(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("status", DbEnum.choices(WebhookDeliveryStatus.class));
        }
    }

    private Webhook visible(UUID id, Operation operation) {
        Webhook webhook = webhooks.find(id).orElseThrow(() -> ApiException.notFound("webhook"));
        access.check(Module.WEBHOOKS, operation, webhook.tenantId(), null, "webhook");
        return webhook;
    }
}

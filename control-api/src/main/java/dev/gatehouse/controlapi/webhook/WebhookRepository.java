package dev.gatehouse.controlapi.webhook;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SearchText;
import dev.gatehouse.domain.model.NotificationKind;
import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Webhooks (JPA entities through Spring Data, the tenant filter from {@link TenantScope}) and, in
 * SQL, their deliveries with the notification each carries. The scheduler writes the deliveries;
 * here they are only read.
 */
@Component
class WebhookRepository {

    /** One delivery as stored, with its notification's kind and subject. */
    record Delivery(UUID id, UUID notificationId, NotificationKind kind, UUID subjectId, WebhookDeliveryStatus status,
                    int attempts, Instant nextAttemptAt, Instant lastAttemptAt, Integer lastStatusCode,
                    String lastError, Instant deliveredAt, Instant createdAt) {
    }

    private final WebhookRecords webhooks;
    private final JdbcClient jdbc;

    WebhookRepository(WebhookRecords webhooks, JdbcClient jdbc) {
        this.webhooks = webhooks;
        this.jdbc = jdbc;
    }

    Optional<Webhook> find(UUID id) {
        return webhooks.findById(id);
    }

    Page<Webhook> list(TenantFilter filter, UUID tenant, String q, Sort sort, PageRequest page) {
        List<Specification<Webhook>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(filter, "tenantId", null));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.like(cb.lower(root.get("name")), pattern, '\\'));
        }
        var found = webhooks.findAll(Specification.allOf(where), OffsetPage.of(page, sort));
        return new Page<>(found.getContent(), found.getTotalElements(), page);
    }

    boolean nameTaken(UUID tenantId, String name, UUID except) {
        return webhooks.nameTaken(tenantId, name, except);
    }

    /** Flushed at once, so a taken name is refused inside the request's transaction. */
    Webhook save(Webhook webhook) {
        return webhooks.saveAndFlush(webhook);
    }

    /** Its deliveries go with it. */
    void delete(Webhook webhook) {
        webhooks.delete(webhook);
        webhooks.flush();
    }

    /** The webhook's deliveries, newest first, optionally of one status. */
    Page<Delivery> deliveries(UUID webhookId, WebhookDeliveryStatus status, PageRequest page) {
        String statusValue = status == null ? null : status.db();
        long total = jdbc.sql("""
                        SELECT count(*) FROM webhook_deliveries
                        WHERE webhook_id = ? AND (CAST(? AS text) IS NULL OR status = ?)""")
                .params(webhookId, statusValue, statusValue)
                .query(Long.class).single();
        List<Delivery> items = jdbc.sql("""
                        SELECT d.id, d.notification_id, n.kind, n.subject_id, d.status, d.attempts, d.next_attempt_at,
                               d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at
                        FROM webhook_deliveries d
                        JOIN notifications n ON n.id = d.notification_id
                        WHERE d.webhook_id = ? AND (CAST(? AS text) IS NULL OR d.status = ?)
                        ORDER BY d.created_at DESC, d.id DESC
                        LIMIT ? OFFSET ?""")
                .params(webhookId, statusValue, statusValue, page.limit(), page.offset())
                .query((rs, n) -> new Delivery(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        NotificationKind.fromDb(rs.getString(3)), rs.getObject(4, UUID.class),
                        WebhookDeliveryStatus.fromDb(rs.getString(5)), rs.getInt(6), instant(rs.getTimestamp(7)),
                        instant(rs.getTimestamp(8)), rs.getObject(9, Integer.class), rs.getString(10),
                        instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12))))
                .list();
        return new Page<>(items, total, page);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

package dev.gatehouse.controlapi.webhook;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Webhooks, through Spring Data JPA; used by {@link WebhookRepository}. */
interface WebhookRecords extends JpaRepository<Webhook, UUID>, JpaSpecificationExecutor<Webhook> {

    @Query("SELECT count(w) > 0 FROM Webhook w WHERE w.tenantId = :tenantId AND lower(w.name) = lower(:name)"
            + " AND (:except IS NULL OR w.id <> :except)")
    boolean nameTaken(UUID tenantId, String name, UUID except);
}

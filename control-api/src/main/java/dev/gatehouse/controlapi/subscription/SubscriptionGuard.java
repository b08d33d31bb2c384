package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.problem.ApiException;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Finds a subscription the caller may act on, locks it for a change, and audits the result. */
@Component
class SubscriptionGuard {

    private final SubscriptionRepository subscriptions;
    private final AccessPolicy access;
    private final AuditLog audit;

    SubscriptionGuard(SubscriptionRepository subscriptions, AccessPolicy access, AuditLog audit) {
        this.subscriptions = subscriptions;
        this.access = access;
        this.audit = audit;
    }

    /** The subscription, when the caller may perform the operation on it; 404 otherwise. */
    SubscriptionDtos.SubscriptionResponse visible(UUID id, Operation operation) {
        SubscriptionDtos.SubscriptionResponse s = subscriptions.find(id)
                .orElseThrow(() -> ApiException.notFound("subscription"));
        access.check(Module.SUBSCRIPTIONS, operation, s.tenantId(), s.userId(), "subscription");
        return s;
    }

    /** {@link #visible}, with the row locked for the rest of the transaction. */
    SubscriptionDtos.SubscriptionResponse locked(UUID id, Operation operation) {
        visible(id, operation);
        return subscriptions.lock(id).orElseThrow(() -> ApiException.notFound("subscription"));
    }

    /** Reads the subscription after a change and records the change with its before and after. */
    SubscriptionDtos.SubscriptionResponse finish(SubscriptionDtos.SubscriptionResponse before, String action) {
        SubscriptionDtos.SubscriptionResponse after = subscriptions.find(before.id()).orElseThrow();
        audit.record(before.tenantId(), action, "subscription", before.id(), before, after);
        return after;
    }
}

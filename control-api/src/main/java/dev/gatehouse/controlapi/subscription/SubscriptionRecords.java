package dev.gatehouse.controlapi.subscription;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Subscriptions as records to read, through Spring Data JPA; written in SQL by {@link SubscriptionRepository}. */
interface SubscriptionRecords extends JpaRepository<Subscription, UUID>, JpaSpecificationExecutor<Subscription> {
}

package dev.gatehouse.controlapi.plan;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Plans, through Spring Data JPA. */
interface PlanRepository extends JpaRepository<Plan, UUID>, JpaSpecificationExecutor<Plan> {

    @Query("SELECT count(p) > 0 FROM Plan p WHERE p.tenantId = :tenantId AND lower(p.name) = lower(:name)"
            + " AND (:except IS NULL OR p.id <> :except)")
    boolean nameTaken(UUID tenantId, String name, UUID except);

    /** Whether a subscription or another plan still points at the plan. */
    @Query(value = """
            SELECT EXISTS (SELECT 1 FROM subscriptions WHERE plan_id = :id OR next_plan_id = :id)
                OR EXISTS (SELECT 1 FROM plans WHERE next_plan_id = :id)""", nativeQuery = true)
    boolean inUse(UUID id);
}

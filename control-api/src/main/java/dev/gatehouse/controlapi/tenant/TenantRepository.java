package dev.gatehouse.controlapi.tenant;

import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Tenants, through Spring Data JPA. */
interface TenantRepository extends JpaRepository<Tenant, UUID>, JpaSpecificationExecutor<Tenant> {

    boolean existsByNameIgnoreCaseOrSlug(String name, String slug);

    /** Whether PostgreSQL knows the zone, so the reset trigger can compute in it. */
    @Query(value = "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = :zone)", nativeQuery = true)
    boolean zoneKnown(String zone);

    /** The tenant's nodes, whose sessions end when the tenant goes. */
    @Query(value = "SELECT id FROM nodes WHERE tenant_id = :tenantId ORDER BY id", nativeQuery = true)
    List<UUID> nodeIds(UUID tenantId);
}

package dev.gatehouse.controlapi.role;

import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Memberships, through Spring Data JPA; used by {@link RoleRepository}. */
interface MembershipRecords extends JpaRepository<Membership, UUID>, JpaSpecificationExecutor<Membership> {

    boolean existsByUserIdAndTenantIdAndRoleId(UUID userId, UUID tenantId, UUID roleId);

    boolean existsByRoleId(UUID roleId);

    @Query("SELECT DISTINCT m.userId FROM Membership m WHERE m.roleId = :roleId")
    List<UUID> usersWithRole(UUID roleId);
}

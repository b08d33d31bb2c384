package dev.gatehouse.controlapi.role;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Roles, through Spring Data JPA; used by {@link RoleRepository}. */
interface RoleRecords extends JpaRepository<Role, UUID>, JpaSpecificationExecutor<Role> {

    @Query("SELECT count(r) > 0 FROM Role r WHERE (r.tenantId = :tenantId OR r.builtin) AND r.name = :name")
    boolean nameTaken(UUID tenantId, String name);
}

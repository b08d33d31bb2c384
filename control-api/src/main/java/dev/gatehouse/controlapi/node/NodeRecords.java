package dev.gatehouse.controlapi.node;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

/** Nodes, through Spring Data JPA; used by {@link NodeRepository}. */
interface NodeRecords extends JpaRepository<Node, UUID>, JpaSpecificationExecutor<Node> {

    @Query("SELECT count(n) > 0 FROM Node n WHERE n.tenantId = :tenantId AND lower(n.name) = lower(:name)"
            + " AND (:except IS NULL OR n.id <> :except)")
    boolean nameTaken(UUID tenantId, String name, UUID except);
}

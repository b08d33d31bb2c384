package dev.gatehouse.controlapi.audit;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** Audit entries to read, through Spring Data JPA, with the tenant filter of {@code TenantScope}. */
interface AuditRecords extends JpaRepository<AuditRecord, Long>, JpaSpecificationExecutor<AuditRecord> {
}

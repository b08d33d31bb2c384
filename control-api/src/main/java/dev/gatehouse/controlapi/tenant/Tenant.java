package dev.gatehouse.controlapi.tenant;

import dev.gatehouse.domain.model.TenantStatus;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A tenant: one operator's business, with its people, plans, nodes and subscriptions. */
@Entity
@Table(name = "tenants")
class Tenant {

    @Id
    private UUID id;
    private String name;
    private String slug;
    private String status;
    private String timeZone;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Tenant() {
    }

    Tenant(String name, String slug, String timeZone, Instant now) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.slug = slug;
        this.status = TenantStatus.ACTIVE.db();
        this.timeZone = timeZone;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void rename(String name, Instant now) {
        this.name = name;
        this.updatedAt = now;
    }

    /** The IANA zone whose calendar the tenant's usage periods follow. */
    void setTimeZone(String timeZone, Instant now) {
        this.timeZone = timeZone;
        this.updatedAt = now;
    }

    void setStatus(TenantStatus status, Instant now) {
        this.status = status.db();
        this.updatedAt = now;
    }

    UUID id() {
        return id;
    }

    TenantStatus status() {
        return TenantStatus.fromDb(status);
    }

    TenantDtos.TenantResponse response() {
        return new TenantDtos.TenantResponse(id, name, slug, status(), timeZone, createdAt, updatedAt);
    }
}

package dev.gatehouse.controlapi.apitoken;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An API token: a scoped, expiring secret of one person in one tenant, kept only as its SHA-256. */
@Entity
@Table(name = "api_tokens")
class ApiToken {

    @Id
    private UUID id;
    private UUID userId;
    private UUID tenantId;
    private String name;
    private byte[] tokenHash;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] permissions;
    private Instant expiresAt;
    private Instant revokedAt;
    private Instant lastUsedAt;
    private Instant createdAt;

    protected ApiToken() {
    }

    ApiToken(UUID userId, UUID tenantId, String name, byte[] tokenHash, List<String> permissions, Instant expiresAt,
             Instant now) {
        this.id = UUID.randomUUID();
        this.userId = userId;
        this.tenantId = tenantId;
        this.name = name;
        this.tokenHash = tokenHash;
        this.permissions = permissions.toArray(String[]::new);
        this.expiresAt = expiresAt;
        this.createdAt = now;
    }

    UUID id() {
        return id;
    }

    UUID userId() {
        return userId;
    }

    UUID tenantId() {
        return tenantId;
    }

    List<String> permissions() {
        return List.of(permissions);
    }

    Instant createdAt() {
        return createdAt;
    }

    ApiTokenStore.TokenView view() {
        return new ApiTokenStore.TokenView(id, name, tenantId, List.of(permissions), expiresAt, revokedAt, lastUsedAt,
                createdAt);
    }
}

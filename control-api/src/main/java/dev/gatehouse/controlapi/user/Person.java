package dev.gatehouse.controlapi.user;

import dev.gatehouse.domain.model.UserStatus;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A person: an operator who logs in or a VPN end user, in one tenant (none for platform operators).
 * Only changed columns are written ({@link DynamicUpdate}), since sign-in and session ending write
 * their own columns (last login, sessions valid after) in SQL.
 */
@Entity
@Table(name = "users")
@DynamicUpdate
class Person {

    @Id
    private UUID id;
    private UUID tenantId;
    private String username;
    private String email;
    private String displayName;
    private String passwordHash;
    private String status;
    private boolean platformAdmin;
    private Instant sessionsValidAfter;
    private Instant passwordChangedAt;
    private Instant lastLoginAt;
    private String note;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Person() {
    }

    Person(UUID tenantId, String username, String email, String displayName, String passwordHash, String note,
           Instant now) {
        this.id = UUID.randomUUID();
        this.tenantId = tenantId;
        this.username = username;
        this.email = email;
        this.displayName = displayName;
        this.passwordHash = passwordHash;
        this.note = note;
        this.status = UserStatus.ACTIVE.db();
        this.sessionsValidAfter = now;
        this.passwordChangedAt = passwordHash == null ? null : now;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Applies the fields the request carries; the others stay. */
    void update(UserDtos.UserUpdateRequest r, Instant now) {
        if (r.email() != null) {
            email = r.email();
        }
        if (r.displayName() != null) {
            displayName = r.displayName();
        }
        if (r.status() != null) {
            status = r.status();
        }
        if (r.note() != null) {
            note = r.note();
        }
        updatedAt = now;
    }

    void setPassword(String hash, Instant now) {
        passwordHash = hash;
        passwordChangedAt = now;
        updatedAt = now;
    }

    UUID id() {
        return id;
    }

    UserDtos.UserResponse response() {
        return new UserDtos.UserResponse(id, tenantId, username, email, displayName, status, platformAdmin,
                passwordHash != null, lastLoginAt, note, createdAt, updatedAt);
    }
}

package dev.gatehouse.controlapi.person;

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
 * Changed only through {@link People}; only changed columns are written ({@link DynamicUpdate}).
 */
@Entity
@Table(name = "users")
@DynamicUpdate
public class Person {

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

    static Person platformAdmin(String username, String passwordHash, Instant now) {
        Person admin = new Person(null, username, null, null, passwordHash, null, now);
        admin.platformAdmin = true;
        return admin;
    }

    /** Applies the fields given (non-null); the others stay. */
    void update(String email, String displayName, UserStatus status, String note, Instant now) {
        if (email != null) {
            this.email = email;
        }
        if (displayName != null) {
            this.displayName = displayName;
        }
        if (status != null) {
            this.status = status.db();
        }
        if (note != null) {
            this.note = note;
        }
        updatedAt = now;
    }

    void setPassword(String hash, Instant now) {
        passwordHash = hash;
        passwordChangedAt = now;
        updatedAt = now;
    }

    /** The same password, hashed with today's parameters. */
    void rehash(String hash) {
        passwordHash = hash;
    }

    void signedIn(Instant now) {
        lastLoginAt = now;
    }

    /** Tokens issued before now are refused from now on. */
    void endSessions(Instant now) {
        sessionsValidAfter = now;
    }

    public UUID id() {
        return id;
    }

    public UUID tenantId() {
        return tenantId;
    }

    public String username() {
        return username;
    }

    public String email() {
        return email;
    }

    public String displayName() {
        return displayName;
    }

    public UserStatus status() {
        return UserStatus.fromDb(status);
    }

    public boolean platformAdmin() {
        return platformAdmin;
    }

    public boolean hasPassword() {
        return passwordHash != null;
    }

    public Instant lastLoginAt() {
        return lastLoginAt;
    }

    public String note() {
        return note;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }
}

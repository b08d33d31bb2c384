package dev.gatehouse.controlapi.webhook;

import dev.gatehouse.domain.model.NotificationKind;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's webhook: where notifications of the kinds it wants are POSTed, signed with its secret,
 * which is kept only sealed with the data key (the webhook's id as associated data).
 */
@Entity
@Table(name = "webhooks")
class Webhook {

    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    private String url;
    private byte[] secret;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] events;
    private boolean enabled;
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected Webhook() {
    }

    /** {@code id} is chosen ahead, since the sealed secret is bound to it. */
    Webhook(UUID id, UUID tenantId, String name, String url, List<NotificationKind> events, boolean enabled,
            byte[] sealedSecret, Instant now) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.url = url;
        this.events = stored(events);
        this.enabled = enabled;
        this.secret = sealedSecret;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Applies the fields given; null leaves one as it is. */
    void update(String name, String url, List<NotificationKind> events, Boolean enabled, Instant now) {
        if (name != null) {
            this.name = name;
        }
        if (url != null) {
            this.url = url;
        }
        if (events != null) {
            this.events = stored(events);
        }
        if (enabled != null) {
            this.enabled = enabled;
        }
        this.updatedAt = now;
    }

    void replaceSecret(byte[] sealedSecret, Instant now) {
        this.secret = sealedSecret;
        this.updatedAt = now;
    }

    /** Each kind once, in the enum's order. */
    private static String[] stored(List<NotificationKind> events) {
        return events.stream().distinct().sorted().map(NotificationKind::db).toArray(String[]::new);
    }

    UUID id() {
        return id;
    }

    UUID tenantId() {
        return tenantId;
    }

    String name() {
        return name;
    }

    String url() {
        return url;
    }

    List<NotificationKind> events() {
        return List.of(events).stream().map(NotificationKind::fromDb).toList();
    }

    boolean enabled() {
        return enabled;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant updatedAt() {
        return updatedAt;
    }
}

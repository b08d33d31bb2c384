package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The HMAC keys of access tokens, kept in PostgreSQL so every replica shares them. Each key is 256
 * random bits with its own id (kid). The newest signs; a new one is made when it is older than the
 * rotation period; a replaced key keeps verifying until every token it signed has expired.
 */
@Component
class SigningKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration RELOAD = Duration.ofMinutes(1);

    /** A key: its id and secret. */
    record Key(String kid, byte[] secret, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration rotation;
    private final Duration verifyAfterReplaced;
    private volatile List<Key> keys = List.of();
    private volatile Instant loadedAt = Instant.EPOCH;

    SigningKeys(JdbcClient jdbc, TransactionTemplate tx, Clock clock, ControlApiProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.rotation = properties.tokens().keyRotation();
        this.verifyAfterReplaced = properties.tokens().accessTtl().plusMinutes(5);
    }

    /** The key that signs new tokens. */
    Key signing() {
        List<Key> current = fresh();
        Key newest = current.get(0);
        if (newest.createdAt().plus(rotation).isBefore(clock.instant())) {
            rotate(false);
            return fresh().get(0);
        }
        return newest;
    }

    /** The key with this id, if it may still verify. */
    Optional<Key> find(String kid) {
        Optional<Key> key = fresh().stream().filter(k -> k.kid().equals(kid)).findFirst();
        if (key.isEmpty()) {
            // Another replica may have rotated since the last load.
            reload();
            key = keys.stream().filter(k -> k.kid().equals(kid)).findFirst();
        }
        return key;
    }

    /**
     * Makes a new signing key: when the newest is past the rotation period, or at once when
     * {@code now} is set (an operator rotating after a suspected leak). Keys replaced longer ago
     * than an access token lives are retired.
     */
    void rotate(boolean now) {
        tx.executeWithoutResult(status -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('gatehouse:jwt-keys'))").query().singleRow();
            Instant cutoff = clock.instant().minus(rotation);
            boolean recent = jdbc.sql("SELECT count(*) FROM jwt_signing_keys WHERE retired_at IS NULL AND created_at > ?")
                    .param(java.sql.Timestamp.from(cutoff)).query(Long.class).single() > 0;
            if (now || !recent) {
                insertKey();
            }
            Instant at = clock.instant();
            jdbc.sql("""
                    UPDATE jwt_signing_keys SET retired_at = ?
                    WHERE retired_at IS NULL AND created_at < ?""")
                    .params(java.sql.Timestamp.from(at),
                            java.sql.Timestamp.from(at.minus(rotation.plus(verifyAfterReplaced))))
                    .update();
        });
        reload();
    }

    private void insertKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        jdbc.sql("INSERT INTO jwt_signing_keys (kid, secret, created_at) VALUES (?, ?, ?)")
                .params(Base64.getUrlEncoder().withoutPadding().encodeToString(id), secret,
                        java.sql.Timestamp.from(clock.instant()))
                .update();
    }

    private List<Key> fresh() {
        if (keys.isEmpty() || loadedAt.plus(RELOAD).isBefore(clock.instant())) {
            reload();
        }
        if (keys.isEmpty()) {
            tx.executeWithoutResult(status -> {
                jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('gatehouse:jwt-keys'))").query().singleRow();
                if (jdbc.sql("SELECT count(*) FROM jwt_signing_keys WHERE retired_at IS NULL").query(Long.class)
                        .single() == 0) {
                    insertKey();
                }
            });
            reload();
        }
        return keys;
    }

    private synchronized void reload() {
        keys = jdbc.sql("""
                        SELECT kid, secret, created_at FROM jwt_signing_keys
                        WHERE retired_at IS NULL ORDER BY created_at DESC, kid""")
                .query((rs, n) -> new Key(rs.getString(1), rs.getBytes(2), rs.getTimestamp(3).toInstant()))
                .list();
        loadedAt = clock.instant();
    }
}

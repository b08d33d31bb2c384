package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.person.People;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import java.security.MessageDigest;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gatehouse has no default account. While no platform admin exists, the first one is made either
 * from GATEHOUSE_BOOTSTRAP_ADMIN / GATEHOUSE_BOOTSTRAP_PASSWORD (read once, for automation) or with
 * a one-time token printed at start and redeemed at POST /auth/bootstrap.
 */
@Service
class BootstrapService {

    private static final Logger log = LoggerFactory.getLogger(BootstrapService.class);

    private final People people;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final PasswordHasher hasher;
    private final Credentials credentials;
    private final AuditLog audit;
    private final ControlApiProperties.Bootstrap settings;

    private final java.time.Clock clock;

    BootstrapService(JdbcClient jdbc, TransactionTemplate tx, PasswordHasher hasher, Credentials credentials,
                     AuditLog audit, ControlApiProperties properties, java.time.Clock clock, People people) {
        this.people = people;
        this.clock = clock;
        this.jdbc = jdbc;
        this.tx = tx;
        this.hasher = hasher;
        this.credentials = credentials;
        this.audit = audit;
        this.settings = properties.bootstrap();
    }

    @EventListener(ApplicationReadyEvent.class)
    void onStart() {
        tx.executeWithoutResult(status -> {
            lock();
            if (adminExists()) {
                if (settings.adminUsername() != null && !settings.adminUsername().isBlank()) {
                    log.info("a platform admin exists; GATEHOUSE_BOOTSTRAP_ADMIN is ignored and can be removed");
                }
                return;
            }
            if (settings.adminUsername() != null && !settings.adminUsername().isBlank()) {
                String username = Credentials.username("GATEHOUSE_BOOTSTRAP_ADMIN", settings.adminUsername());
                credentials.checkNewPassword("GATEHOUSE_BOOTSTRAP_PASSWORD", settings.adminPassword(), username);
                UUID id = createAdmin(username, settings.adminPassword());
                log.warn("created the first platform admin '{}' from GATEHOUSE_BOOTSTRAP_ADMIN; remove"
                        + " GATEHOUSE_BOOTSTRAP_PASSWORD from the environment now", username);
                audit.recordAs(id, username, null, "auth.bootstrap", "user", id, null, null);
                return;
            }
            String token = OpaqueToken.BOOTSTRAP.generate();
            jdbc.sql("""
                            INSERT INTO bootstrap_tokens (id, token_hash, created_at) VALUES (1, ?, ?)
                            ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
                                created_at = EXCLUDED.created_at, used_at = NULL""")
                    .params(OpaqueToken.hash(token), now()).update();
            log.warn("No administrator exists yet. Create the first one with the one-time token {} :"
                    + " POST /auth/bootstrap {{\"token\": \"{}\", \"username\": \"...\", \"password\": \"...\"}}"
                    + " (the token is replaced at each start until it is used)", token, token);
        });
    }

    UUID redeem(AuthDtos.BootstrapRequest request) {
        String username = Credentials.username("username", request.username());
        credentials.checkNewPassword("password", request.password(), username);
        if (!OpaqueToken.BOOTSTRAP.matches(request.token())) {
            throw new ApiException(ErrorCode.INVALID_TOKEN, "not a bootstrap token");
        }
        String hash = hasher.hash(request.password());
        return tx.execute(status -> {
            lock();
            byte[] stored = jdbc.sql("SELECT token_hash FROM bootstrap_tokens WHERE id = 1 AND used_at IS NULL")
                    .query(byte[].class).optional().orElse(null);
            if (adminExists() || stored == null || !MessageDigest.isEqual(stored, OpaqueToken.hash(request.token()))) {
                throw new ApiException(ErrorCode.INVALID_TOKEN, "the bootstrap token is unknown or already used");
            }
            jdbc.sql("UPDATE bootstrap_tokens SET used_at = ? WHERE id = 1").param(now()).update();
            UUID id = insertAdmin(username, hash);
            audit.recordAs(id, username, null, "auth.bootstrap", "user", id, null, null);
            return id;
        });
    }

    private UUID createAdmin(String username, String password) {
        return insertAdmin(username, hasher.hash(password));
    }

    private UUID insertAdmin(String username, String hash) {
        return people.createPlatformAdmin(username, hash);
    }

    private java.sql.Timestamp now() {
        return java.sql.Timestamp.from(clock.instant());
    }

    private boolean adminExists() {
        return jdbc.sql("SELECT count(*) FROM users WHERE platform_admin AND status = 'active'")
                .query(Long.class).single() > 0;
    }

    private void lock() {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('gatehouse:bootstrap'))").query().singleRow();
    }
}

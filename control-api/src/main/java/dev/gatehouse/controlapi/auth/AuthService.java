package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.person.People;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.access.CallerFactory;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.request.RequestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Sign-in, token refresh with rotation, sign-out and password change. */
@Service
class AuthService {

    private static final String BAD_CREDENTIALS = "wrong username or password";

    private final People people;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final PasswordHasher hasher;
    private final Credentials credentials;
    private final LoginThrottle throttle;
    private final SessionStore sessions;
    private final SessionService sessionService;
    private final AccessTokens accessTokens;
    private final CallerFactory callers;
    private final AccessPolicy access;
    private final AdminAddresses adminAddresses;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration refreshGrace;
    private final SigningKeys signingKeys;

    AuthService(SigningKeys signingKeys, JdbcClient jdbc, TransactionTemplate tx, PasswordHasher hasher, Credentials credentials,
                LoginThrottle throttle, SessionStore sessions, SessionService sessionService, AccessTokens accessTokens,
                CallerFactory callers, AccessPolicy access, AdminAddresses adminAddresses, AuditLog audit,
                Clock clock, ControlApiProperties properties, People people) {
        this.people = people;
        this.signingKeys = signingKeys;
        this.jdbc = jdbc;
        this.tx = tx;
        this.hasher = hasher;
        this.credentials = credentials;
        this.throttle = throttle;
        this.sessions = sessions;
        this.sessionService = sessionService;
        this.accessTokens = accessTokens;
        this.callers = callers;
        this.access = access;
        this.adminAddresses = adminAddresses;
        this.audit = audit;
        this.clock = clock;
        this.refreshGrace = properties.tokens().refreshGrace();
    }

    private record Account(UUID id, UUID tenantId, String username, String passwordHash, boolean active) {
    }

    AuthDtos.TokenResponse login(AuthDtos.LoginRequest request) {
        String username = Credentials.username("username", request.username());
        String tenantSlug = request.tenant() == null || request.tenant().isBlank() ? null
                : request.tenant().trim().toLowerCase(java.util.Locale.ROOT);
        credentials.checkPresentedPassword("password", request.password());
        RequestContext context = RequestContext.current();
        String address = context == null || context.clientIp() == null ? "unknown" : context.clientIp();
        throttle.attempt((tenantSlug == null ? "" : tenantSlug) + "/" + username, address);

        Optional<Account> account = findAccount(tenantSlug, username);
        boolean ok;
        if (account.isPresent() && account.get().passwordHash() != null) {
            ok = hasher.matches(request.password(), account.get().passwordHash()) && account.get().active();
        } else {
            hasher.burnEquivalentTime(request.password());
            ok = false;
        }
        if (!ok) {
            throw new ApiException(ErrorCode.INVALID_CREDENTIALS, BAD_CREDENTIALS);
        }
        Account user = account.get();
        RequestContext.logUser(user.id());
        RequestContext.logTenant(user.tenantId());
        return tx.execute(status -> {
            if (hasher.needsRehash(user.passwordHash())) {
                people.rehash(user.id(), hasher.hash(request.password()));
            }
            UUID sessionId = sessions.createSession(user.id(), context == null ? null : context.clientIp(),
                    context == null ? null : context.userAgent());
            Caller caller = callers.forSession(user.id(), sessionId);
            if (caller.isAdministrator() && !adminAddresses.allows(context == null ? null : context.clientAddress())) {
                status.setRollbackOnly();
                throw new ApiException(ErrorCode.ADDRESS_NOT_ALLOWED,
                        "administrators may not sign in from this address");
            }
            people.signedIn(user.id());
            String refresh = sessions.issueRefreshToken(sessionId, null);
            audit.recordAs(user.id(), user.username(), user.tenantId(), "auth.login", "session", sessionId, null, null);
            return tokens(user.id(), sessionId, refresh);
        });
    }

    private Optional<Account> findAccount(String tenantSlug, String username) {
        return jdbc.sql("""
                        SELECT u.id, u.tenant_id, u.username, u.password_hash, u.status = 'active'
                               AND (t.id IS NULL OR t.status = 'active')
                        FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id
                        WHERE lower(u.username) = ?
                          AND ((CAST(? AS text) IS NULL AND u.tenant_id IS NULL) OR t.slug = ?)""")
                .params(username, tenantSlug, tenantSlug)
                .query((rs, n) -> new Account(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getString(4), rs.getBoolean(5)))
                .optional();
    }

    /**
     * Rotates a refresh token. A token used once may be presented again within the grace window
     * (its response may have been lost) and then yields a sibling; after the window, presenting it
     * again is theft or replay, and ends the whole session.
     */
    AuthDtos.TokenResponse refresh(AuthDtos.RefreshRequest request) {
        if (!OpaqueToken.REFRESH.matches(request.refreshToken())) {
            throw new ApiException(ErrorCode.INVALID_TOKEN, "not a refresh token");
        }
        record Outcome(AuthDtos.TokenResponse response, String refusal) {
        }
        Outcome outcome = tx.execute(status -> {
            Optional<SessionStore.RefreshRow> found = sessions.lockRefreshToken(request.refreshToken());
            if (found.isEmpty()) {
                return new Outcome(null, "unknown refresh token");
            }
            SessionStore.RefreshRow row = found.get();
            Instant now = clock.instant();
            if (row.sessionRevoked() || row.tokenRevoked()) {
                return new Outcome(null, "the session has ended");
            }
            if (row.tokenExpiresAt().isBefore(now) || row.sessionExpiresAt().isBefore(now)) {
                return new Outcome(null, "the refresh token has expired");
            }
            if (row.usedAt() != null && row.usedAt().plus(refreshGrace).isBefore(now)) {
                sessionService.endSession(row.sessionId(), "refresh token reused");
                audit.recordAs(row.userId(), null, null, "auth.refresh_reuse", "session", row.sessionId(), null,
                        Map.of("reason", "a rotated refresh token was presented again; the session was ended"));
                return new Outcome(null, "the refresh token was already used; the session has been ended");
            }
            Optional<String> refusal = callers.refusal(row.userId(), now);
            if (refusal.isPresent()) {
                return new Outcome(null, refusal.get());
            }
            if (row.usedAt() == null) {
                sessions.markUsed(row.tokenId());
            }
            String next = sessions.issueRefreshToken(row.sessionId(), row.tokenId());
            return new Outcome(tokens(row.userId(), row.sessionId(), next), null);
        });
        if (outcome.refusal() != null) {
            throw new ApiException(ErrorCode.INVALID_TOKEN, outcome.refusal());
        }
        return outcome.response();
    }

    void logout() {
        Caller caller = access.caller();
        if (caller.sessionId() == null) {
            throw ApiException.forbidden("API tokens have no session; revoke the token instead");
        }
        tx.executeWithoutResult(status -> {
            sessionService.endSession(caller.sessionId(), "logout");
            audit.record(null, "auth.logout", "session", caller.sessionId(), null, null);
        });
    }

    void changePassword(AuthDtos.PasswordChangeRequest request) {
        Caller caller = access.caller();
        if (caller.sessionId() == null) {
            throw ApiException.forbidden("sign in with your password to change it");
        }
        credentials.checkPresentedPassword("current_password", request.currentPassword());
        credentials.checkNewPassword("new_password", request.newPassword(), caller.username());
        String hash = jdbc.sql("SELECT password_hash FROM users WHERE id = ?").param(caller.userId())
                .query(String.class).optional().orElse(null);
        if (hash == null || !hasher.matches(request.currentPassword(), hash)) {
            throw ApiException.invalid("current_password", "is wrong");
        }
        String newHash = hasher.hash(request.newPassword());
        tx.executeWithoutResult(status -> {
            people.setPassword(caller.userId(), newHash);
            sessionService.endAllSessions(caller.userId(), "password changed");
            audit.record(null, "user.password_change", "user", caller.userId(), null, null);
        });
    }

    /** Makes a new signing key at once (platform admins only); returns its kid. */
    String rotateSigningKey() {
        access.requirePlatformAdmin();
        signingKeys.rotate(true);
        String kid = signingKeys.signing().kid();
        tx.executeWithoutResult(s -> audit.record(null, "auth.key_rotate", "signing_key", kid, null, null));
        return kid;
    }

    private AuthDtos.TokenResponse tokens(UUID userId, UUID sessionId, String refreshToken) {
        return new AuthDtos.TokenResponse(accessTokens.issue(userId, sessionId), "Bearer",
                accessTokens.ttl().toSeconds(), refreshToken);
    }
}

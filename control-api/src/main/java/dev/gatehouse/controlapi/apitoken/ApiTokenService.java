package dev.gatehouse.controlapi.apitoken;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.access.Grant;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Scoped API tokens for automation: named, expiring, a subset of the creator's permissions in one
 * tenant, shown once, revocable. A caller manages only their own tokens, and only from a session.
 */
@org.springframework.stereotype.Service
class ApiTokenService {

    record CreateRequest(@NotBlank @Size(max = 100) String name, @NotNull UUID tenantId,
                         @NotEmpty @Size(max = 32) List<@NotBlank String> permissions,
                         @Min(1) @Max(366) int expiresInDays) {
    }

    record Created(UUID id, String token, Instant expiresAt) {
    }

    private final ApiTokenStore store;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;

    ApiTokenService(ApiTokenStore store, AccessPolicy access, AuditLog audit, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    Created create(CreateRequest request) {
        Caller caller = access.caller();
        if (caller.sessionId() == null) {
            throw ApiException.forbidden("API tokens are created from a signed-in session, not by other API tokens");
        }
        List<String> normalised = request.permissions().stream().map(p -> {
            try {
                return Grant.parseTenantWide(p.trim().toUpperCase(java.util.Locale.ROOT)).text();
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("permissions", "'" + p + "' is not MODULE:OPERATION");
            }
        }).distinct().sorted().toList();
        for (String p : normalised) {
            Grant g = Grant.parseTenantWide(p);
            if (!caller.has(g.module(), g.operation(), request.tenantId())) {
                if (!caller.platformAdmin() && !caller.grants().containsKey(request.tenantId())) {
                    throw ApiException.notFound("tenant");
                }
                throw ApiException.forbidden("a token cannot hold " + p + ": you do not hold it in that tenant");
            }
        }
        String token = OpaqueToken.API.generate();
        Instant expiresAt = clock.instant().plus(Duration.ofDays(request.expiresInDays()));
        UUID id = tx.execute(status -> {
            UUID created = store.insert(caller.userId(), request.tenantId(), request.name().trim(), token, normalised,
                    expiresAt, clock.instant());
            audit.record(request.tenantId(), "api_token.create", "api_token", created, null,
                    Map.of("name", request.name().trim(), "permissions", normalised, "expires_at", expiresAt));
            return created;
        });
        return new Created(id, token, expiresAt);
    }

    Page<ApiTokenStore.TokenView> list(PageRequest page) {
        UUID user = access.caller().userId();
        return store.listOfUser(user, page);
    }

    void revoke(UUID id) {
        UUID user = access.caller().userId();
        if (!store.ownerOf(id).map(user::equals).orElse(false)) {
            throw ApiException.notFound("API token");
        }
        tx.executeWithoutResult(status -> {
            store.revoke(id, clock.instant());
            audit.record(null, "api_token.revoke", "api_token", id, null, null);
        });
    }
}

package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.access.CallerAuthentication;
import dev.gatehouse.controlapi.access.CallerFactory;
import dev.gatehouse.controlapi.apitoken.ApiTokenStore;
import dev.gatehouse.controlapi.request.RequestContext;
import java.time.Clock;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * Turns a bearer token into a {@link Caller}. Only two kinds are accepted here: access tokens
 * (JWTs) and API tokens (gha_); a refresh, subscription or enrollment token is refused.
 */
@Component
class BearerAuthentication implements AuthenticationManager {

    private final AccessTokens accessTokens;
    private final ApiTokenStore apiTokens;
    private final CallerFactory callers;
    private final RevokedSessions revoked;
    private final AdminAddresses adminAddresses;
    private final Clock clock;

    BearerAuthentication(AccessTokens accessTokens, ApiTokenStore apiTokens, CallerFactory callers,
                         RevokedSessions revoked, AdminAddresses adminAddresses, Clock clock) {
        this.accessTokens = accessTokens;
        this.apiTokens = apiTokens;
        this.callers = callers;
        this.revoked = revoked;
        this.adminAddresses = adminAddresses;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        Caller caller = OpaqueToken.API.matches(token) ? fromApiToken(token) : fromAccessToken(token);
        RequestContext.logUser(caller.userId());
        // A caller of one tenant acts in it; otherwise the policy names the tenant of each object it checks.
        RequestContext.logTenant(caller.grants().size() == 1 ? caller.grants().keySet().iterator().next() : null);
        RequestContext request = RequestContext.current();
        if (caller.isAdministrator() && !adminAddresses.allows(request == null ? null : request.clientAddress())) {
            throw new AddressNotAllowedException();
        }
        return new CallerAuthentication(caller);
    }

    private Caller fromAccessToken(String token) {
        for (OpaqueToken kind : OpaqueToken.values()) {
            if (token.startsWith(kind.prefix())) {
                throw new InvalidTokenException("a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                        + " token is not an access token");
            }
        }
        AccessTokens.Claims claims = accessTokens.verify(token);
        Optional<String> refusal = callers.refusal(claims.userId(), claims.issuedAt());
        if (refusal.isPresent()) {
            throw new InvalidTokenException(refusal.get());
        }
        if (revoked.isRevoked(claims.sessionId())) {
            throw new InvalidTokenException("the session has ended");
        }
        return callers.forSession(claims.userId(), claims.sessionId());
    }

    private Caller fromApiToken(String token) {
        ApiTokenStore.ActiveToken active = apiTokens.findActive(token, clock.instant())
                .orElseThrow(() -> new InvalidTokenException("unknown, expired or revoked API token"));
        // API tokens are not sessions: they outlive a password change, not a disabled account.
        Optional<String> refusal = callers.refusal(active.userId(), clock.instant());
        if (refusal.isPresent()) {
            throw new InvalidTokenException(refusal.get());
        }
        return callers.forApiToken(active.userId(), active.id(), active.tenantId(), active.scopes());
    }
}

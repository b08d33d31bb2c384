package dev.gatehouse.controlapi.apitoken;

import dev.gatehouse.controlapi.access.Grant;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** API tokens, found by the SHA-256 of the presented secret. */
@Component
public class ApiTokenStore {

    /** A token that may be used now. */
    public record ActiveToken(UUID id, UUID userId, UUID tenantId, Set<Grant> scopes, Instant createdAt) {
    }

    /** A token as listed to its owner; never the secret. */
    record TokenView(UUID id, String name, UUID tenantId, List<String> permissions, Instant expiresAt,
                     Instant revokedAt, Instant lastUsedAt, Instant createdAt) {
    }

    private final ApiTokenRepository tokens;

    ApiTokenStore(ApiTokenRepository tokens) {
        this.tokens = tokens;
    }

    @Transactional
    public Optional<ActiveToken> findActive(String token, Instant now) {
        Optional<ActiveToken> found = tokens.findActive(OpaqueToken.hash(token), now)
                .map(t -> new ActiveToken(t.id(), t.userId(), t.tenantId(),
                        t.permissions().stream().map(Grant::parseTenantWide).collect(Collectors.toUnmodifiableSet()),
                        t.createdAt()));
        found.ifPresent(t -> tokens.touch(t.id(), now, now.minus(Duration.ofMinutes(1))));
        return found;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    UUID insert(UUID userId, UUID tenantId, String name, String token, List<String> permissions, Instant expiresAt,
                Instant now) {
        return tokens.saveAndFlush(new ApiToken(userId, tenantId, name, OpaqueToken.hash(token), permissions,
                expiresAt, now)).id();
    }

    /** The person's tokens, newest first. */
    @Transactional(readOnly = true)
    Page<TokenView> listOfUser(UUID userId, PageRequest page) {
        var found = tokens.findByUserId(userId, OffsetPage.of(page,
                Sort.by(Sort.Order.desc("createdAt"), Sort.Order.asc("id"))));
        return new Page<>(found.getContent().stream().map(ApiToken::view).toList(), found.getTotalElements(), page);
    }

    Optional<UUID> ownerOf(UUID tokenId) {
        return tokens.findById(tokenId).map(ApiToken::userId);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    boolean revoke(UUID tokenId, Instant now) {
        return tokens.revoke(tokenId, now) > 0;
    }

    /**
     * Revokes every token of a person, for good: disabling a person is a security action, so their
     * tokens stay revoked when the person is enabled again (they make new ones).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public int revokeAllOf(UUID userId, Instant now) {
        return tokens.revokeAllOf(userId, now);
    }
}

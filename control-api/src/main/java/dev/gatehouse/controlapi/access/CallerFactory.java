package dev.gatehouse.controlapi.access;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** Builds the {@link Caller} of a verified token from the user's current standing. */
@Component
public class CallerFactory {

    private final PolicyStore store;

    CallerFactory(PolicyStore store) {
        this.store = store;
    }

    /** Reason a user's token is refused, or empty when the user may act. */
    public Optional<String> refusal(UUID userId, Instant tokenIssuedAt) {
        Optional<CallerSnapshot> snapshot = store.snapshot(userId);
        if (snapshot.isEmpty()) {
            return Optional.of("the account no longer exists");
        }
        if (!snapshot.get().active()) {
            return Optional.of("the account is disabled");
        }
        if (tokenIssuedAt.getEpochSecond() < snapshot.get().validAfter().getEpochSecond()) {
            return Optional.of("the token was issued before the account's sessions were ended");
        }
        return Optional.empty();
    }

    /** The caller of an access token's session. */
    public Caller forSession(UUID userId, UUID sessionId) {
        CallerSnapshot s = store.snapshot(userId).orElseThrow();
        return new Caller(s.userId(), s.username(), s.platformAdmin(), sessionId, null, s.validAfter(),
                toSets(s.grants()));
    }

    /** The caller of an API token: the owner's current grants in the token's tenant, narrowed to its scopes. */
    public Caller forApiToken(UUID userId, UUID apiTokenId, UUID tenantId, Set<Grant> scopes) {
        CallerSnapshot s = store.snapshot(userId).orElseThrow();
        Map<UUID, Set<Grant>> narrowed = new HashMap<>();
        // A platform admin's token acts in its one tenant with exactly its scopes.
        List<Grant> held = s.platformAdmin() ? scopes.stream().toList() : s.grants().getOrDefault(tenantId, List.of());
        Set<Grant> kept = held.stream()
                .filter(g -> scopes.stream().anyMatch(sc -> sc.module() == g.module() && sc.operation() == g.operation()))
                .collect(Collectors.toUnmodifiableSet());
        if (!kept.isEmpty()) {
            narrowed.put(tenantId, kept);
        }
        return new Caller(s.userId(), s.username(), false, null, apiTokenId, s.validAfter(), Map.copyOf(narrowed));
    }

    private static Map<UUID, Set<Grant>> toSets(Map<UUID, List<Grant>> grants) {
        return grants.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> Set.copyOf(e.getValue())));
    }
}

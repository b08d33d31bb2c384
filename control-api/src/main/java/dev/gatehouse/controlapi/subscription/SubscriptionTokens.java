package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.Credentials;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A subscription's secrets: its link token (kept sealed when a data key is set) and its credentials. */
@Service
class SubscriptionTokens {

    private final SubscriptionGuard guard;
    private final SubscriptionRepository subscriptions;
    private final Credentials credentials;
    private final DesiredState desired;
    private final TokenVault vault;

    SubscriptionTokens(SubscriptionGuard guard, SubscriptionRepository subscriptions, Credentials credentials,
                       DesiredState desired, TokenVault vault) {
        this.guard = guard;
        this.subscriptions = subscriptions;
        this.credentials = credentials;
        this.desired = desired;
        this.vault = vault;
    }

    /** A new subscription token; the subscription row stores only its hash. */
    static String generate() {
        return OpaqueToken.SUBSCRIPTION.generate();
    }

    /** The token sealed for the subscription with this id; null without a data key (only its hash is kept). */
    byte[] seal(UUID id, String token) {
        return vault.seal(token, id.toString());
    }

    /** New credentials and a new subscription token; the old ones leave every node and stop working. */
    @Transactional
    SubscriptionDtos.SubscriptionCreated revoke(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.UPDATE);
        credentials.revokeAll(id);
        credentials.ensure(id);
        String token = generate();
        subscriptions.setToken(id, OpaqueToken.hash(token), vault.seal(token, id.toString()));
        desired.syncSubscriptions(List.of(id));
        return new SubscriptionDtos.SubscriptionCreated(guard.finish(before, "subscription.revoke"), token);
    }

    /** The subscription token, for an administrator to hand out again; 404 when none was kept. */
    @Transactional(readOnly = true)
    String token(UUID id) {
        guard.visible(id, Operation.READ);
        if (!vault.enabled()) {
            throw ApiException.notFound("kept subscription token (set GATEHOUSE_DATA_KEY to keep them;"
                    + " revoke to make a new one)");
        }
        return vault.open(subscriptions.sealedToken(id), id.toString())
                .orElseThrow(() -> ApiException.notFound("kept subscription token (revoke to make a new one)"));
    }
}

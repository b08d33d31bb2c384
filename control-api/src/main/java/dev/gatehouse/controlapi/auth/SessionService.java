package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.person.People;
import dev.gatehouse.controlapi.access.PolicyStore;
import dev.gatehouse.domain.support.AfterCommit;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Ends sessions: after a password change, when an account is disabled, when a user's roles change,
 * or at logout. The database is the record; Redis makes every replica refuse the old access tokens
 * from the next request on.
 */
@Service
public class SessionService {

    private final People people;
    private final SessionStore sessions;
    private final RevokedSessions revoked;
    private final PolicyStore policy;

    SessionService(SessionStore sessions, RevokedSessions revoked, PolicyStore policy, People people) {
        this.people = people;
        this.sessions = sessions;
        this.revoked = revoked;
        this.policy = policy;
    }

    /** Ends every session of the user and refuses tokens issued before now. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void endAllSessions(UUID userId, String reason) {
        people.endSessions(userId);
        List<UUID> ended = sessions.revokeAllOfUser(userId, reason);
        AfterCommit.run(() -> {
            revoked.revoke(ended);
            policy.invalidateAll();
        });
    }

    @Transactional(propagation = Propagation.MANDATORY)
    void endSession(UUID sessionId, String reason) {
        sessions.revokeSession(sessionId, reason);
        AfterCommit.run(() -> revoked.revoke(List.of(sessionId)));
    }
}

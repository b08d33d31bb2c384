package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.audit.AuditLog;
import java.util.Map;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lets a platform admin rotate the access-token signing key at once, e.g. after a suspected leak. */
@RestController
class KeyController {

    private final SigningKeys keys;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    KeyController(SigningKeys keys, AccessPolicy access, AuditLog audit, TransactionTemplate tx) {
        this.keys = keys;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
    }

    @PostMapping("/auth/keys/rotate")
    @AuthenticatedRoute
    Map<String, String> rotate() {
        access.requirePlatformAdmin();
        keys.rotate(true);
        String kid = keys.signing().kid();
        tx.executeWithoutResult(s -> audit.record(null, "auth.key_rotate", "signing_key", kid, null, null));
        return Map.of("signing_kid", kid);
    }
}

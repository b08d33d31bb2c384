package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lets a platform admin rotate the access-token signing key at once, e.g. after a suspected leak. */
@RestController
class KeyController {

    private final AuthService auth;

    KeyController(AuthService auth) {
        this.auth = auth;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rotate the access-token signing key now (platform admins)")
    @PostMapping("/auth/keys/rotate")
    @AuthenticatedRoute
    Map<String, String> rotateSigningKey() {
        return Map.of("signing_kid", auth.rotateSigningKey());
    }
}

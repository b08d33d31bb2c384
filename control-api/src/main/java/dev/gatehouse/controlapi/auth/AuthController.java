package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.access.PublicRoute;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Sign-in and the caller's own session. */
@RestController
class AuthController {

    private final AuthService auth;
    private final BootstrapService bootstrap;
    private final AccessPolicy access;

    AuthController(AuthService auth, BootstrapService bootstrap, AccessPolicy access) {
        this.auth = auth;
        this.bootstrap = bootstrap;
        this.access = access;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Sign in: access token (15 min) and refresh token")
    @PostMapping("/auth/login")
    @PublicRoute("signing in is how a caller gets a token")
    AuthDtos.TokenResponse login(@Valid @RequestBody AuthDtos.LoginRequest request) {
        return auth.login(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Rotate a refresh token for new tokens")
    @PostMapping("/auth/refresh")
    @PublicRoute("the refresh token is the credential")
    AuthDtos.TokenResponse refresh(@Valid @RequestBody AuthDtos.RefreshRequest request) {
        return auth.refresh(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "End the current session")
    @PostMapping("/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @AuthenticatedRoute
    void logout() {
        auth.logout();
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Change your own password (ends every session)")
    @PostMapping("/auth/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @AuthenticatedRoute
    void changePassword(@Valid @RequestBody AuthDtos.PasswordChangeRequest request) {
        auth.changePassword(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create the first platform admin with the one-time bootstrap token")
    @PostMapping("/auth/bootstrap")
    @ResponseStatus(HttpStatus.CREATED)
    @PublicRoute("the one-time bootstrap token is the credential; only while no admin exists")
    Map<String, UUID> bootstrap(@Valid @RequestBody AuthDtos.BootstrapRequest request) {
        return Map.of("user_id", bootstrap.redeem(request));
    }

    /** Who the caller is and what they may do, per tenant. */
    record MeResponse(UUID userId, String username, boolean platformAdmin, Map<UUID, List<String>> permissions) {
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Who you are and your permissions per tenant")
    @GetMapping("/auth/me")
    @AuthenticatedRoute
    MeResponse me() {
        Caller caller = access.caller();
        Map<UUID, List<String>> permissions = new java.util.TreeMap<>();
        caller.grants().forEach((tenant, grants) -> permissions.put(tenant, grants.stream()
                .map(g -> g.text() + (g.scope() == dev.gatehouse.controlapi.access.Scope.SELF ? ":SELF" : ""))
                .sorted().toList()));
        return new MeResponse(caller.userId(), caller.username(), caller.platformAdmin(), permissions);
    }
}

package dev.gatehouse.controlapi.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Request and response bodies of /auth. */
final class AuthDtos {

    private AuthDtos() {
    }

    /** @param tenant the tenant's slug; omitted for platform operators */
    record LoginRequest(@Size(max = 63) String tenant, @NotNull @Size(max = 256) String username,
                        @NotNull String password) {
    }

    record RefreshRequest(@NotBlank @Size(max = 100) String refreshToken) {
    }

    record PasswordChangeRequest(@NotNull String currentPassword, @NotNull String newPassword) {
    }

    record BootstrapRequest(@NotBlank @Size(max = 100) String token, @NotNull @Size(max = 256) String username,
                            @NotNull String password) {
    }

    record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken) {
    }
}

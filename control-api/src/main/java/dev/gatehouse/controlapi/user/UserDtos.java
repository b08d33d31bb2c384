package dev.gatehouse.controlapi.user;

import dev.gatehouse.domain.model.UserStatus;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** Bodies of /users. Fields a client may not set (id, tenant after creation, platform flag) do not exist here. */
final class UserDtos {

    private UserDtos() {
    }

    /** @param tenantId the tenant the person belongs to; omitted only by a platform admin creating a platform operator */
    record UserCreateRequest(UUID tenantId,
                             @NotNull @Size(max = 256) String username,
                             @Email @Size(max = 254) String email,
                             @Size(max = 200) String displayName,
                             String password,
                             @Size(max = 2000) String note) {
    }

    record UserUpdateRequest(@Email @Size(max = 254) String email,
                             @Size(max = 200) String displayName,
                             UserStatus status,
                             @Size(max = 2000) String note) {
    }

    record PasswordResetRequest(@NotNull String password) {
    }

    record UserResponse(UUID id, UUID tenantId, String username, String email, String displayName, UserStatus status,
                        boolean platformAdmin, boolean canLogIn, Instant lastLoginAt, String note,
                        Instant createdAt, Instant updatedAt) {
    }
}

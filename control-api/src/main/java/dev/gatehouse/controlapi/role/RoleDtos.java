package dev.gatehouse.controlapi.role;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Bodies of /roles and /memberships. */
final class RoleDtos {

    private RoleDtos() {
    }

    /** @param permissions entries MODULE:OPERATION, optionally :SELF for the caller's own objects only */
    record RoleCreateRequest(@NotNull UUID tenantId,
                             @NotBlank @Pattern(regexp = "^[a-z0-9][a-z0-9_-]{0,62}$",
                                     message = "use lower-case letters, digits, '_' or '-'") String name,
                             @Size(max = 500) String description,
                             @NotNull @Size(max = 64) List<@NotBlank String> permissions) {
    }

    record RoleUpdateRequest(@Size(max = 500) String description, @Size(max = 64) List<@NotBlank String> permissions) {
    }

    record RoleResponse(UUID id, UUID tenantId, String name, String description, boolean builtin,
                        List<String> permissions, Instant createdAt, Instant updatedAt) {
    }

    record MembershipCreateRequest(@NotNull UUID userId, @NotNull UUID tenantId, @NotNull UUID roleId) {
    }

    record MembershipResponse(UUID id, UUID userId, UUID tenantId, UUID roleId, String roleName, Instant createdAt) {
    }
}

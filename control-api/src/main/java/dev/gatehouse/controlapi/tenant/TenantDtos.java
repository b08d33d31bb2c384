package dev.gatehouse.controlapi.tenant;

import static dev.gatehouse.controlapi.web.TextRules.NOT_BLANK;

import dev.gatehouse.domain.model.TenantStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** Bodies of /tenants. */
final class TenantDtos {

    private TenantDtos() {
    }

    /** @param timeZone IANA name (Europe/Berlin) whose calendar usage periods follow; UTC when left out */
    record TenantCreateRequest(@NotBlank @Size(max = 200) String name,
                               @NotBlank @Pattern(regexp = "^[a-z0-9][a-z0-9-]{0,62}$",
                                       message = "use 1 to 63 lower-case letters, digits or '-'") String slug,
                               @Schema(defaultValue = "UTC", example = "Europe/Berlin")
                               @Size(min = 1, max = 64) String timeZone) {
    }

    /** @param timeZone a new IANA zone: the next resets of every subscription move to its calendar */
    record TenantUpdateRequest(@Size(min = 1, max = 200) @Pattern(regexp = NOT_BLANK, message = "must not be blank")
                               String name,
                               TenantStatus status,
                               @Schema(example = "Europe/Berlin") @Size(min = 1, max = 64) String timeZone) {
    }

    record TenantResponse(UUID id, String name, String slug, TenantStatus status, String timeZone, Instant createdAt,
                          Instant updatedAt) {
    }
}

package dev.gatehouse.controlapi.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A user's standing as read from the database and cached in Redis: status, validity, grants. */
record CallerSnapshot(UUID userId,
                      String username,
                      boolean active,
                      boolean platformAdmin,
                      Instant validAfter,
                      Map<UUID, List<Grant>> grants) {
}

package dev.gatehouse.controlapi.apitoken;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/** API tokens, through Spring Data JPA. */
interface ApiTokenRepository extends JpaRepository<ApiToken, UUID> {

    @Query("SELECT t FROM ApiToken t WHERE t.tokenHash = :hash AND t.revokedAt IS NULL AND t.expiresAt > :now")
    Optional<ApiToken> findActive(byte[] hash, Instant now);

    /** Records a use, at most once a minute per token, so busy tokens do not write on every call. */
    @Modifying
    @Query("UPDATE ApiToken t SET t.lastUsedAt = :now WHERE t.id = :id"
            + " AND (t.lastUsedAt IS NULL OR t.lastUsedAt < :before)")
    int touch(UUID id, Instant now, Instant before);

    Page<ApiToken> findByUserId(UUID userId, Pageable page);

    @Modifying
    @Query("UPDATE ApiToken t SET t.revokedAt = :now WHERE t.id = :id AND t.revokedAt IS NULL")
    int revoke(UUID id, Instant now);

    @Modifying
    @Query("UPDATE ApiToken t SET t.revokedAt = :now WHERE t.userId = :userId AND t.revokedAt IS NULL")
    int revokeAllOf(UUID userId, Instant now);
}

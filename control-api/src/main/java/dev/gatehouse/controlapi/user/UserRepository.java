package dev.gatehouse.controlapi.user;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.web.SearchText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** People in PostgreSQL. */
@Repository
class UserRepository {

    private static final String COLUMNS = """
            id, tenant_id, username, email, display_name, status, platform_admin, password_hash IS NOT NULL,
            last_login_at, note, created_at, updated_at""";

    private static final String WHERE = """
            (:all OR tenant_id = ANY(:wide) OR (tenant_id = ANY(:self) AND id = :me))
            AND (CAST(:tenant AS uuid) IS NULL OR tenant_id = :tenant)
            AND (CAST(:status AS text) IS NULL OR status = :status)
            AND (CAST(:q AS text) IS NULL OR lower(username) LIKE :q OR lower(coalesce(email, '')) LIKE :q
                 OR lower(coalesce(display_name, '')) LIKE :q)""";

    private final JdbcClient jdbc;

    private final java.time.Clock clock;

    UserRepository(JdbcClient jdbc, java.time.Clock clock) {
        this.clock = clock;
        this.jdbc = jdbc;
    }

    Optional<UserDtos.UserResponse> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = ?").param(id).query(UserRepository::map)
                .optional();
    }

    List<UserDtos.UserResponse> list(TenantFilter filter, UUID tenant, String status, String q, String orderBy,
                                     int limit, int offset) {
        return bind(jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE " + WHERE + orderBy
                        + " LIMIT :limit OFFSET :offset"), filter, tenant, status, q)
                .param("limit", limit).param("offset", offset)
                .query(UserRepository::map).list();
    }

    long count(TenantFilter filter, UUID tenant, String status, String q) {
        return bind(jdbc.sql("SELECT count(*) FROM users WHERE " + WHERE), filter, tenant, status, q)
                .query(Long.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, TenantFilter filter, UUID tenant,
                                                 String status, String q) {
        return spec.param("all", filter.all()).param("wide", filter.tenantWideArray())
                .param("self", filter.selfOnlyArray()).param("me", filter.userId())
                .param("tenant", tenant).param("status", status)
                .param("q", SearchText.containsPattern(q));
    }

    boolean usernameTaken(UUID tenantId, String username) {
        // Two shapes, so that both use the (tenant_id, lower(username)) index; IS NOT DISTINCT FROM cannot.
        JdbcClient.StatementSpec query = tenantId == null
                ? jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id IS NULL AND lower(username) = ?)")
                        .param(username)
                : jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = ? AND lower(username) = ?)")
                        .params(tenantId, username);
        return query.query(Boolean.class).single();
    }

    UUID insert(UUID tenantId, String username, String email, String displayName, String passwordHash, String note) {
        return jdbc.sql("""
                        INSERT INTO users (tenant_id, username, email, display_name, password_hash, note,
                                           password_changed_at)
                        VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END) RETURNING id""")
                .params(tenantId, username, email, displayName, passwordHash, note, passwordHash != null)
                .query(UUID.class).single();
    }

    void update(UUID id, UserDtos.UserUpdateRequest r) {
        jdbc.sql("""
                        UPDATE users SET email = COALESCE(?, email), display_name = COALESCE(?, display_name),
                               status = COALESCE(?, status), note = COALESCE(?, note),
                               updated_at = now(), version = version + 1
                        WHERE id = ?""")
                .params(r.email(), r.displayName(), r.status(), r.note(), id).update();
    }

    void setPassword(UUID id, String hash) {
        jdbc.sql("""
                        UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = now(),
                               version = version + 1
                        WHERE id = ?""")
                .params(hash, Timestamp.from(clock.instant()), id).update();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM users WHERE id = ?").param(id).update();
    }

    private static UserDtos.UserResponse map(ResultSet rs, int n) throws SQLException {
        Timestamp lastLogin = rs.getTimestamp(9);
        return new UserDtos.UserResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getBoolean(7), rs.getBoolean(8),
                lastLogin == null ? null : lastLogin.toInstant(), rs.getString(10), rs.getTimestamp(11).toInstant(),
                rs.getTimestamp(12).toInstant());
    }
}

package dev.gatehouse.controlapi.tenant;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.web.SearchText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Tenants in PostgreSQL. */
@Repository
class TenantRepository {

    private static final String COLUMNS = "id, name, slug, status, created_at, updated_at";

    private final JdbcClient jdbc;

    TenantRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<TenantDtos.TenantResponse> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = ?").param(id).query(TenantRepository::map)
                .optional();
    }

    List<TenantDtos.TenantResponse> list(TenantFilter filter, String q, String status, String orderBy, int limit,
                                         int offset) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE " + WHERE + orderBy + " LIMIT :limit OFFSET :offset")
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("q", SearchText.containsPattern(q)).param("status", status)
                .param("limit", limit).param("offset", offset)
                .query(TenantRepository::map).list();
    }

    long count(TenantFilter filter, String q, String status) {
        return jdbc.sql("SELECT count(*) FROM tenants WHERE " + WHERE)
                .param("all", filter.all()).param("ids", filter.tenantWideArray())
                .param("q", SearchText.containsPattern(q)).param("status", status)
                .query(Long.class).single();
    }

    private static final String WHERE = """
            (:all OR id = ANY(:ids))
            AND (CAST(:q AS text) IS NULL OR lower(name) LIKE :q OR slug LIKE :q)
            AND (CAST(:status AS text) IS NULL OR status = :status)""";

    UUID insert(String name, String slug) {
        return jdbc.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id").params(name, slug)
                .query(UUID.class).single();
    }

    void update(UUID id, String name, String status) {
        jdbc.sql("""
                        UPDATE tenants SET name = COALESCE(?, name), status = COALESCE(?, status),
                               updated_at = now(), version = version + 1
                        WHERE id = ?""")
                .params(name, status, id).update();
    }

    /** The tenant's nodes, whose sessions end when the tenant goes. */
    List<UUID> nodeIds(UUID tenantId) {
        return jdbc.sql("SELECT id FROM nodes WHERE tenant_id = ? ORDER BY id").param(tenantId).query(UUID.class).list();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM tenants WHERE id = ?").param(id).update();
    }

    boolean nameOrSlugTaken(String name, String slug) {
        return jdbc.sql("SELECT count(*) FROM tenants WHERE lower(name) = lower(?) OR slug = ?")
                .params(name, slug).query(Long.class).single() > 0;
    }

    private static TenantDtos.TenantResponse map(ResultSet rs, int n) throws SQLException {
        return new TenantDtos.TenantResponse(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant());
    }
}

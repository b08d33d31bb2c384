package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Subscriptions and their assignments in PostgreSQL. */
@Repository
class SubscriptionRepository {

    private static final String SELECT = """
            SELECT s.id, s.tenant_id, s.user_id, s.plan_id, s.state, s.state_reason, s.engines, s.quota_bytes,
                   s.used_bytes_up, s.used_bytes_down, s.lifetime_bytes_up, s.lifetime_bytes_down,
                   s.reset_strategy, s.starts_at, s.expires_at, s.on_hold_deadline, s.last_reset_at,
                   s.next_plan_id, s.assignment_strategy, s.assignment_tags, s.redundancy,
                   coalesce((SELECT array_agg(a.node_id::text || ':' || a.role ORDER BY a.role <> 'primary', a.node_id)
                             FROM node_assignments a WHERE a.subscription_id = s.id), '{}'),
                   s.created_at, s.updated_at
            FROM subscriptions s""";

    private static final String WHERE = """
             WHERE (:all OR s.tenant_id = ANY(:wide) OR (s.tenant_id = ANY(:self) AND s.user_id = :me))
              AND (CAST(:tenant AS uuid) IS NULL OR s.tenant_id = :tenant)
              AND (CAST(:state AS text) IS NULL OR s.state = :state)
              AND (CAST(:plan AS uuid) IS NULL OR s.plan_id = :plan)
              AND (CAST(:user AS uuid) IS NULL OR s.user_id = :user)
              AND (CAST(:node AS uuid) IS NULL OR EXISTS (SELECT 1 FROM node_assignments a
                                                           WHERE a.subscription_id = s.id AND a.node_id = :node))
              AND (CAST(:tag AS text) IS NULL OR :tag = ANY(s.assignment_tags))
              AND (CAST(:q AS text) IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id
                                                        AND lower(u.username) LIKE :q))""";

    /** The list filters of /subscriptions. */
    record Filter(UUID tenant, String state, UUID plan, UUID user, UUID node, String tag, String q) {
    }

    private final JdbcClient jdbc;
    private final java.time.Clock clock;

    SubscriptionRepository(JdbcClient jdbc, java.time.Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Optional<SubscriptionDtos.SubscriptionResponse> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE s.id = ?").param(id).query(SubscriptionRepository::map).optional();
    }

    /** The subscriptions, in the order of the ids. */
    List<SubscriptionDtos.SubscriptionResponse> findAll(List<UUID> ids) {
        java.util.Map<UUID, SubscriptionDtos.SubscriptionResponse> byId = new java.util.HashMap<>();
        jdbc.sql(SELECT + " WHERE s.id = ANY(?)").param(ids.toArray(UUID[]::new)).query(SubscriptionRepository::map)
                .list().forEach(s -> byId.put(s.id(), s));
        return ids.stream().map(byId::get).toList();
    }

    /** Locks the row for a state change. */
    Optional<SubscriptionDtos.SubscriptionResponse> lock(UUID id) {
        jdbc.sql("SELECT id FROM subscriptions WHERE id = ? FOR UPDATE").param(id).query(UUID.class).optional();
        return find(id);
    }

    List<SubscriptionDtos.SubscriptionResponse> list(TenantFilter access, Filter f, String orderBy, int limit,
                                                     int offset) {
        return bind(jdbc.sql(SELECT + " " + WHERE + orderBy + " LIMIT :limit OFFSET :offset"), access, f)
                .param("limit", limit).param("offset", offset).query(SubscriptionRepository::map).list();
    }

    long count(TenantFilter access, Filter f) {
        return bind(jdbc.sql("SELECT count(*) FROM subscriptions s " + WHERE), access, f).query(Long.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, TenantFilter access, Filter f) {
        return spec.param("all", access.all()).param("wide", access.tenantWideArray())
                .param("self", access.selfOnlyArray()).param("me", access.userId())
                .param("tenant", f.tenant()).param("state", f.state()).param("plan", f.plan()).param("user", f.user())
                .param("node", f.node()).param("tag", f.tag())
                .param("q", dev.gatehouse.controlapi.web.SearchText.containsPattern(f.q()));
    }

    /** The terms every subscription of one create request shares. */
    record Terms(UUID tenantId, UUID planId, SubscriptionState state, List<Engine> engines, Long quota,
                 String resetStrategy, Instant startsAt, Instant expiresAt, Instant onHoldDeadline, UUID nextPlanId,
                 String strategy, List<String> tags, int redundancy) {
    }

    /** One subscription to make: its id (chosen ahead, so its token can be sealed), person and token. */
    record NewSubscription(UUID id, UUID userId, byte[] tokenHash, byte[] sealedToken) {
    }

    /** Inserts subscriptions on the same terms, in one statement. */
    void insertAll(Terms t, List<NewSubscription> rows) {
        jdbc.sql("""
                        INSERT INTO subscriptions (id, tenant_id, user_id, plan_id, state, engines, quota_bytes,
                                                   reset_strategy, starts_at, expires_at, on_hold_deadline,
                                                   next_plan_id, assignment_strategy, assignment_tags, redundancy,
                                                   sub_token_hash, sub_token_ciphertext)
                        SELECT r.id, ?, r.user_id, ?, ?, CAST(? AS text[]), ?, ?, ?, ?, ?, ?, ?, CAST(? AS text[]), ?,
                               r.hash, r.sealed
                        FROM unnest(?::uuid[], ?::uuid[], ?::bytea[], ?::bytea[]) WITH ORDINALITY
                             AS r(id, user_id, hash, sealed, i)
                        ORDER BY r.i""")
                .params(t.tenantId(), t.planId(), t.state().db(), Engine.dbArray(t.engines()), t.quota(),
                        t.resetStrategy(), ts(t.startsAt()), ts(t.expiresAt()), ts(t.onHoldDeadline()), t.nextPlanId(),
                        t.strategy(), t.tags().toArray(String[]::new), t.redundancy(),
                        rows.stream().map(NewSubscription::id).toArray(UUID[]::new),
                        rows.stream().map(NewSubscription::userId).toArray(UUID[]::new),
                        rows.stream().map(NewSubscription::tokenHash).toArray(byte[][]::new),
                        rows.stream().map(NewSubscription::sealedToken).toArray(byte[][]::new))
                .update();
    }

    void update(UUID id, Long quota, boolean unlimited, Instant expiresAt, boolean neverExpires, List<Engine> engines,
                UUID nextPlanId) {
        jdbc.sql("""
                        UPDATE subscriptions SET
                               quota_bytes = CASE WHEN ? THEN NULL ELSE COALESCE(?, quota_bytes) END,
                               expires_at = CASE WHEN ? THEN NULL ELSE COALESCE(?, expires_at) END,
                               engines = COALESCE(?, engines), next_plan_id = COALESCE(?, next_plan_id),
                               updated_at = ?, version = version + 1
                        WHERE id = ?""")
                .params(unlimited, quota, neverExpires, ts(expiresAt),
                        engines == null ? null : Engine.dbArray(engines), nextPlanId, now(), id)
                .update();
    }

    void setAssignment(UUID id, String strategy, List<String> tags, int redundancy) {
        jdbc.sql("UPDATE subscriptions SET assignment_strategy = ?, assignment_tags = ?, redundancy = ?,"
                        + " updated_at = ?, version = version + 1 WHERE id = ?")
                .params(strategy, tags.toArray(String[]::new), redundancy, now(), id).update();
    }

    void resetUsage(UUID id, Instant at) {
        jdbc.sql("""
                        UPDATE subscriptions SET used_bytes_up = 0, used_bytes_down = 0, last_reset_at = ?,
                               updated_at = ?, version = version + 1
                        WHERE id = ?""")
                .params(ts(at), ts(at), id).update();
    }

    void extend(UUID id, int days) {
        jdbc.sql("""
                        UPDATE subscriptions SET expires_at = GREATEST(expires_at, CAST(? AS timestamptz))
                               + make_interval(days => ?), updated_at = ?, version = version + 1
                        WHERE id = ? AND expires_at IS NOT NULL""")
                .params(now(), days, now(), id).update();
    }

    void addQuota(UUID id, long bytes) {
        jdbc.sql("""
                        UPDATE subscriptions SET quota_bytes = CASE WHEN quota_bytes > 9223372036854775807 - ?
                                   THEN 9223372036854775807 ELSE quota_bytes + ? END,
                               updated_at = ?, version = version + 1
                        WHERE id = ? AND quota_bytes IS NOT NULL""")
                .params(bytes, bytes, now(), id).update();
    }

    void setToken(UUID id, byte[] hash, byte[] sealed) {
        Timestamp now = now();
        jdbc.sql("UPDATE subscriptions SET sub_token_hash = ?, sub_token_ciphertext = ?, sub_token_rotated_at = ?,"
                + " updated_at = ?, version = version + 1 WHERE id = ?").params(hash, sealed, now, now, id).update();
    }

    byte[] sealedToken(UUID id) {
        return jdbc.sql("SELECT sub_token_ciphertext FROM subscriptions WHERE id = ?").param(id)
                .query(byte[].class).optional().orElse(null);
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM subscriptions WHERE id = ?").param(id).update();
    }


    /** The tenant of a user; empty when there is no such user, Optional.empty() inside for platform users. */
    Optional<Optional<UUID>> tenantOfUser(UUID userId) {
        return jdbc.sql("SELECT tenant_id FROM users WHERE id = ?").param(userId)
                .query((rs, n) -> Optional.ofNullable(rs.getObject(1, UUID.class))).optional();
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static SubscriptionDtos.SubscriptionResponse map(ResultSet rs, int n) throws SQLException {
        List<SubscriptionDtos.Assignment> nodes = java.util.Arrays.stream((String[]) rs.getArray(22).getArray())
                .map(v -> {
                    String[] parts = v.split(":");
                    return new SubscriptionDtos.Assignment(UUID.fromString(parts[0]), parts[1]);
                }).toList();
        return new SubscriptionDtos.SubscriptionResponse(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                rs.getObject(3, UUID.class), rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6),
                List.of((String[]) rs.getArray(7).getArray()), (Long) rs.getObject(8), rs.getLong(9), rs.getLong(10),
                rs.getLong(11), rs.getLong(12), rs.getString(13), instant(rs.getTimestamp(14)),
                instant(rs.getTimestamp(15)), instant(rs.getTimestamp(16)), instant(rs.getTimestamp(17)),
                rs.getObject(18, UUID.class), rs.getString(19), List.of((String[]) rs.getArray(20).getArray()),
                rs.getInt(21), nodes, rs.getTimestamp(23).toInstant(), rs.getTimestamp(24).toInstant());
    }
}

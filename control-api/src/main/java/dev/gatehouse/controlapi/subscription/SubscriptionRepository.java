package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.domain.model.ResetStrategy;
import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.person.Person;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SearchText;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Component;

/**
 * Subscriptions: read as JPA records (the tenant filter from {@link TenantScope}), written in SQL,
 * set-based, like the domain core writes them.
 */
@Component
class SubscriptionRepository {

    /** The list filters of /subscriptions. */
    record Filter(UUID tenant, SubscriptionState state, UUID plan, UUID user, UUID node, String tag, String q,
                  Boolean degraded) {
    }

    private final SubscriptionRecords records;
    private final EntityManager entities;
    private final JdbcClient jdbc;
    private final java.time.Clock clock;

    SubscriptionRepository(SubscriptionRecords records, EntityManager entities, JdbcClient jdbc,
                           java.time.Clock clock) {
        this.records = records;
        this.entities = entities;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The subscription as stored now: re-read, since its row is written in SQL. */
    Optional<SubscriptionDtos.SubscriptionResponse> find(UUID id) {
        return records.findById(id).map(s -> {
            entities.refresh(s);
            return s.response();
        });
    }

    /** New subscriptions, in the order of the ids. */
    List<SubscriptionDtos.SubscriptionResponse> findAll(List<UUID> ids) {
        Map<UUID, SubscriptionDtos.SubscriptionResponse> byId = new HashMap<>();
        records.findAllById(ids).forEach(s -> {
            SubscriptionDtos.SubscriptionResponse r = s.response();
            byId.put(r.id(), r);
        });
        return ids.stream().map(byId::get).toList();
    }

    /** Locks the row for a state change. */
    Optional<SubscriptionDtos.SubscriptionResponse> lock(UUID id) {
        jdbc.sql("SELECT id FROM subscriptions WHERE id = ? FOR UPDATE").param(id).query(UUID.class).optional();
        return find(id);
    }

    Page<SubscriptionDtos.SubscriptionResponse> list(TenantFilter access, Filter f, Sort sort, PageRequest page) {
        List<Specification<Subscription>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(access, "tenantId", "userId"));
        equal(where, "tenantId", f.tenant());
        equal(where, "state", f.state() == null ? null : f.state().db());
        equal(where, "planId", f.plan());
        equal(where, "userId", f.user());
        equal(where, "degraded", f.degraded());
        if (f.node() != null) {
            where.add((root, query, cb) -> {
                var placement = root.join("placements");
                query.distinct(true);
                return cb.equal(placement.get("nodeId"), f.node());
            });
        }
        if (f.tag() != null) {
            // Hibernate's array_position: the 1-based position, 0 (or null) when absent.
            where.add((root, query, cb) -> cb.greaterThan(cb.function("array_position", Integer.class,
                    root.get("assignmentTags"), cb.literal(f.tag())), 0));
        }
        String pattern = SearchText.containsPattern(f.q());
        if (pattern != null) {
            where.add((root, query, cb) -> {
                var person = query.subquery(UUID.class);
                var p = person.from(Person.class);
                person.select(p.get("id")).where(cb.equal(p.get("id"), root.get("userId")),
                        cb.like(cb.lower(p.get("username")), pattern, '\\'));
                return cb.exists(person);
            });
        }
        var found = records.findAll(Specification.allOf(where), OffsetPage.of(page, sort));
        return new Page<>(found.getContent().stream().map(Subscription::response).toList(), found.getTotalElements(),
                page);
    }

    private static void equal(List<Specification<Subscription>> where, String attribute, Object value) {
        if (value != null) {
            where.add((root, query, cb) -> cb.equal(root.get(attribute), value));
        }
    }

    /** The terms every subscription of one create request shares. */
    record Terms(UUID tenantId, UUID planId, SubscriptionState state, List<Engine> engines, Long quota,
                 ResetStrategy resetStrategy, Instant startsAt, Instant expiresAt, Instant onHoldDeadline, UUID nextPlanId,
                 AssignmentStrategy strategy, List<String> tags, int redundancy) {
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
                        t.resetStrategy().db(), ts(t.startsAt()), ts(t.expiresAt()), ts(t.onHoldDeadline()), t.nextPlanId(),
                        t.strategy().db(), t.tags().toArray(String[]::new), t.redundancy(),
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

    void setAssignment(UUID id, AssignmentStrategy strategy, List<String> tags, int redundancy) {
        jdbc.sql("UPDATE subscriptions SET assignment_strategy = ?, assignment_tags = ?, redundancy = ?,"
                        + " updated_at = ?, version = version + 1 WHERE id = ?")
                .params(strategy.db(), tags.toArray(String[]::new), redundancy, now(), id).update();
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

}

package dev.gatehouse.controlapi.traffic;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.traffic.TrafficIngest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Traffic as operators read it, and samples from producers that report over HTTP. Reads stay in SQL
 * (partitioned events, rollups, sums), each query built from only the filters given so every
 * combination gets its own plan, with the tenant filter of {@link TenantScope}.
 */
@Service
class TrafficService {

    private static final Duration LONGEST_RANGE = Duration.ofDays(366);
    private static final Map<String, String> GROUPS = Map.of("tenant", "tenant_id", "user", "user_id",
            "node", "node_id", "engine", "engine");

    private final JdbcClient jdbc;
    private final AccessPolicy access;
    private final TrafficIngest ingest;

    TrafficService(JdbcClient jdbc, AccessPolicy access, TrafficIngest ingest) {
        this.jdbc = jdbc;
        this.access = access;
        this.ingest = ingest;
    }

    TrafficDtos.EventsResult events(TrafficDtos.EventsRequest request) {
        UUID tenant = jdbc.sql("SELECT tenant_id FROM nodes WHERE id = ?").param(request.nodeId()).query(UUID.class)
                .optional().orElseThrow(() -> ApiException.notFound("node"));
        access.check(Module.TRAFFIC, Operation.CREATE, tenant, null, "node");
        List<TrafficIngest.Sample> samples = new ArrayList<>();
        for (int i = 0; i < request.samples().size(); i++) {
            TrafficDtos.Sample s = request.samples().get(i);
            samples.add(new TrafficIngest.Sample(i, s.credentialId(), s.engine(), s.tsStart(), s.tsEnd(),
                    s.counterSeq(), s.bytesUp(), s.bytesDown(), null, null));
        }
        TrafficIngest.Result result = ingest.ingest(request.nodeId(), samples);
        return new TrafficDtos.EventsResult(result.accepted(), result.duplicates(), result.rejected().stream()
                .map(r -> new TrafficDtos.Rejection(r.index(), r.reason())).toList());
    }

    /** A query under construction: its conditions and their parameters, in order. */
    private static final class Where {
        private final List<String> conditions = new ArrayList<>();
        private final List<Object> params = new ArrayList<>();

        Where(TenantScope.SqlCondition scope) {
            conditions.add(scope.sql());
            params.addAll(scope.params());
        }

        Where and(String condition, Object value) {
            if (value != null) {
                conditions.add(condition);
                params.add(value instanceof Instant i ? Timestamp.from(i) : value);
            }
            return this;
        }

        String sql() {
            return String.join(" AND ", conditions);
        }
    }

    @Transactional(readOnly = true)
    Page<TrafficDtos.Usage> usage(UUID tenant, UUID user, UUID subscription, PageRequest page) {
        Where where = new Where(TenantScope.sql(access.filter(Module.TRAFFIC), "tenant_id", "user_id"))
                .and("tenant_id = ?", tenant).and("user_id = ?", user).and("id = ?", subscription);
        List<TrafficDtos.Usage> items = jdbc.sql("""
                        SELECT id, tenant_id, user_id, state, quota_bytes, used_bytes_up, used_bytes_down,
                               lifetime_bytes_up, lifetime_bytes_down, last_reset_at
                        FROM subscriptions WHERE\s""" + where.sql() + " ORDER BY id LIMIT ? OFFSET ?")
                .params(with(where.params, page.limit(), page.offset()))
                .query((rs, n) -> new TrafficDtos.Usage(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), SubscriptionState.fromDb(rs.getString(4)),
                        (Long) rs.getObject(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                        instant(rs.getTimestamp(10))))
                .list();
        long total = jdbc.sql("SELECT count(*) FROM subscriptions WHERE " + where.sql()).params(where.params)
                .query(Long.class).single();
        return new Page<>(items, total, page);
    }

    @Transactional(readOnly = true)
    Page<TrafficDtos.SummaryRow> summary(Instant from, Instant to, String groupBy, UUID tenant, PageRequest page) {
        checkRange(from, to);
        String column = GROUPS.get(groupBy);
        Where where = new Where(TenantScope.sql(access.filter(Module.TRAFFIC), "tenant_id", "user_id"))
                .and("event_end_ts >= ?", from).and("event_end_ts < ?", to).and("tenant_id = ?", tenant);
        List<TrafficDtos.SummaryRow> items = jdbc.sql("SELECT " + column + "::text, sum(bytes_up), sum(bytes_down),"
                        + " count(*) FROM traffic_events WHERE " + where.sql() + " GROUP BY 1"
                        + " ORDER BY sum(bytes_up) + sum(bytes_down) DESC, 1 LIMIT ? OFFSET ?")
                .params(with(where.params, page.limit(), page.offset()))
                .query((rs, n) -> new TrafficDtos.SummaryRow(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4)))
                .list();
        long total = jdbc.sql("SELECT count(DISTINCT " + column + ") FROM traffic_events WHERE " + where.sql())
                .params(where.params).query(Long.class).single();
        return new Page<>(items, total, page);
    }

    @Transactional(readOnly = true)
    Page<TrafficDtos.Rollup> rollups(Instant from, Instant to, UUID subscription, UUID user, UUID node,
                                     PageRequest page) {
        checkRange(from, to);
        Where where = new Where(TenantScope.sql(access.filter(Module.TRAFFIC), "tenant_id", "user_id"))
                .and("hour_start_ts >= ?", from).and("hour_start_ts < ?", to)
                .and("subscription_id = ?", subscription).and("user_id = ?", user).and("node_id = ?", node);
        List<TrafficDtos.Rollup> items = jdbc.sql("""
                        SELECT hour_start_ts, tenant_id, user_id, subscription_id, node_id, engine, bytes_up,
                               bytes_down, events
                        FROM traffic_rollups_hourly WHERE\s""" + where.sql()
                        + " ORDER BY hour_start_ts, subscription_id, node_id, engine LIMIT ? OFFSET ?")
                .params(with(where.params, page.limit(), page.offset()))
                .query((rs, n) -> new TrafficDtos.Rollup(rs.getTimestamp(1).toInstant(), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), rs.getObject(4, UUID.class), rs.getObject(5, UUID.class),
                        Engine.fromDb(rs.getString(6)), rs.getLong(7), rs.getLong(8), rs.getLong(9)))
                .list();
        long total = jdbc.sql("SELECT count(*) FROM traffic_rollups_hourly WHERE " + where.sql())
                .params(where.params).query(Long.class).single();
        return new Page<>(items, total, page);
    }

    private static void checkRange(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw ApiException.invalid("to", "must be after from");
        }
        if (Duration.between(from, to).compareTo(LONGEST_RANGE) > 0) {
            throw ApiException.invalid("to", "the range may span at most 366 days");
        }
    }

    private static List<Object> with(List<Object> params, Object... more) {
        List<Object> all = new ArrayList<>(params);
        all.addAll(List.of(more));
        return all;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

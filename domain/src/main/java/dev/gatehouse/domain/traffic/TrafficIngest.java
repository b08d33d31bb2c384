package dev.gatehouse.domain.traffic;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import dev.gatehouse.domain.subscription.UsageLedger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores a node's traffic samples exactly once and counts only what was new. Each sample is
 * attributed through its credential to subscription, person and tenant from the database (never
 * from the message); a credential this node was never told to serve is refused. The samples are
 * inserted with bind arrays ({@code unnest}, {@code ON CONFLICT DO NOTHING RETURNING}) on the dedupe
 * key, and only the rows really inserted reach the usage ledger, in the same transaction: a resent
 * batch stores and counts nothing. A subscription that reaches its quota is settled in the same
 * transaction (exhausted, or its next plan) and its nodes are told after commit.
 */
public class TrafficIngest {

    /** One sample as the agent reported it; {@code index} is its place in the batch. */
    public record Sample(int index, String credentialId, Engine engine, Instant start, Instant end, long counterSeq,
                         long bytesUp, long bytesDown, Long counterUp, Long counterDown) {
    }

    public record Rejection(int index, String reason) {
    }

    /** What a batch did: new rows, rows already stored, refused samples, and subscriptions whose usage moved. */
    public record Result(int accepted, int duplicates, List<Rejection> rejected, List<UUID> moved) {
    }

    private record Owner(UUID credentialId, Engine engine, UUID subscriptionId, UUID userId, UUID tenantId) {
    }

    private final JdbcClient jdbc;
    private final UsageLedger ledger;
    private final SubscriptionLifecycle lifecycle;
    private final DesiredState desired;
    private final Clock clock;
    private final Duration skew;
    private final Duration retention;

    public TrafficIngest(JdbcClient jdbc, UsageLedger ledger, SubscriptionLifecycle lifecycle, DesiredState desired,
                         Clock clock, Duration skew, Duration retention) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.lifecycle = lifecycle;
        this.desired = desired;
        this.clock = clock;
        this.skew = skew;
        this.retention = retention;
    }

    /** One node's samples, as one agent sent them. */
    public record Batch(UUID nodeId, List<Sample> samples) {
    }

    @Transactional
    public Result ingest(UUID nodeId, List<Sample> samples) {
        return ingestAll(List.of(new Batch(nodeId, samples))).get(0);
    }

    /**
     * Stores several batches (of one node or several) in one transaction, with one statement per
     * step for all of them, so a collector can group the batches its sessions send into one commit.
     * Each batch gets its own result; a failure fails them all and stores nothing.
     */
    @Transactional
    public List<Result> ingestAll(List<Batch> batches) {
        Instant now = clock.instant();
        List<List<Rejection>> rejected = new ArrayList<>();
        List<Integer> batchOf = new ArrayList<>();
        List<Sample> candidates = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            List<Rejection> refused = new ArrayList<>();
            rejected.add(refused);
            for (Sample s : batches.get(b).samples()) {
                String reason = check(s, now);
                if (reason != null) {
                    refused.add(new Rejection(s.index(), reason));
                } else {
                    candidates.add(s);
                    batchOf.add(b);
                }
            }
        }
        Map<Served, Owner> owners = owners(batches, candidates, batchOf);
        List<Sample> attributed = new ArrayList<>();
        List<Integer> attributedBatch = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Sample s = candidates.get(i);
            int b = batchOf.get(i);
            Owner owner = owners.get(new Served(batches.get(b).nodeId(), UUID.fromString(s.credentialId())));
            if (owner == null) {
                rejected.get(b).add(new Rejection(s.index(), "credential " + s.credentialId() + " was never served"
                        + " by this node"));
            } else if (owner.engine() != s.engine()) {
                rejected.get(b).add(new Rejection(s.index(), "credential " + s.credentialId() + " is a "
                        + owner.engine().db() + " credential"));
            } else {
                attributed.add(s);
                attributedBatch.add(b);
            }
        }
        int[] sent = new int[batches.size()];
        int[] stored = new int[batches.size()];
        List<UsageLedger.Usage> usage = new ArrayList<>();
        if (!attributed.isEmpty()) {
            int n = attributed.size();
            Timestamp[] ends = new Timestamp[n];
            UUID[] nodes = new UUID[n];
            String[] engines = new String[n];
            UUID[] users = new UUID[n];
            Long[] seqs = new Long[n];
            UUID[] tenants = new UUID[n];
            UUID[] subscriptions = new UUID[n];
            Timestamp[] starts = new Timestamp[n];
            Long[] ups = new Long[n];
            Long[] downs = new Long[n];
            Long[] counterUps = new Long[n];
            Long[] counterDowns = new Long[n];
            // Which batch a stored row answers: the first one that carried its key.
            Map<Key, Integer> keyBatch = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Sample s = attributed.get(i);
                int b = attributedBatch.get(i);
                UUID node = batches.get(b).nodeId();
                Owner owner = owners.get(new Served(node, UUID.fromString(s.credentialId())));
                // PostgreSQL keeps microseconds: the key is matched back at that precision.
                Instant end = s.end().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                ends[i] = Timestamp.from(end);
                nodes[i] = node;
                engines[i] = s.engine().db();
                users[i] = owner.userId();
                seqs[i] = s.counterSeq();
                tenants[i] = owner.tenantId();
                subscriptions[i] = owner.subscriptionId();
                // At the same precision as the end, so a sample whose start equals its end stays valid.
                starts[i] = Timestamp.from(s.start().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
                ups[i] = s.bytesUp();
                downs[i] = s.bytesDown();
                counterUps[i] = s.counterUp();
                counterDowns[i] = s.counterDown();
                sent[b]++;
                keyBatch.putIfAbsent(new Key(node, engines[i], users[i], seqs[i], end), b);
            }
            // received_at is left to its default, the database's transaction time: the scheduler's
            // rollup watermark relies on an open transaction never writing an arrival behind it.
            jdbc.sql("""
                            INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                                        subscription_id, event_start_ts, bytes_up, bytes_down,
                                                        counter_up, counter_down)
                            SELECT e.end_ts, e.node_id, e.engine, e.user_id, e.seq, e.tenant_id, e.subscription_id,
                                   e.start_ts, e.up, e.down, e.counter_up, e.counter_down
                            FROM unnest(?::timestamptz[], ?::uuid[], ?::text[], ?::uuid[], ?::bigint[], ?::uuid[],
                                        ?::uuid[], ?::timestamptz[], ?::bigint[], ?::bigint[], ?::bigint[],
                                        ?::bigint[])
                                 AS e(end_ts, node_id, engine, user_id, seq, tenant_id, subscription_id, start_ts, up,
                                      down, counter_up, counter_down)
                            ON CONFLICT DO NOTHING
                            RETURNING node_id, engine, user_id, counter_seq, event_end_ts, subscription_id, bytes_up,
                                      bytes_down""")
                    .params(ends, nodes, engines, users, seqs, tenants, subscriptions, starts,
                            ups, downs, counterUps, counterDowns)
                    .query(rs -> {
                        UUID node = rs.getObject(1, UUID.class);
                        stored[keyBatch.get(new Key(node, rs.getString(2), rs.getObject(3, UUID.class), rs.getLong(4),
                                rs.getTimestamp(5).toInstant()))]++;
                        usage.add(new UsageLedger.Usage(rs.getObject(6, UUID.class), node, rs.getLong(7),
                                rs.getLong(8)));
                    });
        }
        List<UUID> moved = ledger.add(usage);
        settle(moved);
        List<Result> results = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            results.add(new Result(stored[b], sent[b] - stored[b], sorted(rejected.get(b)), moved));
        }
        return results;
    }

    /** The dedupe key of a stored event, to tell which batch a returned row answers. */
    private record Key(UUID node, String engine, UUID user, long seq, Instant end) {
    }

    /** A credential as a node serves it: the key of attribution. */
    private record Served(UUID node, UUID credential) {
    }

    /**
     * The quota fast path: of the subscriptions whose usage moved, those on hold (first use starts
     * their clock) or at their quota go through the lifecycle now, and the nodes are synced once;
     * they are told after commit, so a cut-off waits for no job.
     */
    private void settle(List<UUID> moved) {
        if (moved.isEmpty()) {
            return;
        }
        List<UUID> due = jdbc.sql("""
                        SELECT id FROM subscriptions
                        WHERE id = ANY(?) AND (state = ? OR (quota_bytes IS NOT NULL
                                                            AND used_bytes_up + used_bytes_down >= quota_bytes))
                        ORDER BY id""")
                .params(moved.toArray(UUID[]::new), SubscriptionState.ON_HOLD.db())
                .query(UUID.class).list();
        List<UUID> changed = new ArrayList<>();
        for (UUID id : due) {
            lifecycle.used(id).filter(o -> o.decision().changes() || o.rolledOver())
                    .ifPresent(o -> changed.add(o.subscriptionId()));
        }
        if (!changed.isEmpty()) {
            desired.syncSubscriptions(changed);
        }
    }

    private String check(Sample s, Instant now) {
        try {
            UUID.fromString(s.credentialId());
        } catch (IllegalArgumentException | NullPointerException e) {
            return "credential_id is not a UUID";
        }
        if (s.engine() == null) {
            return "engine is missing";
        }
        if (s.bytesUp() < 0 || s.bytesDown() < 0 || s.counterSeq() < 0
                || (s.counterUp() != null && s.counterUp() < 0) || (s.counterDown() != null && s.counterDown() < 0)) {
            return "a counter is above 2^63 - 1";
        }
        if (s.end() == null || s.start() == null || s.start().isAfter(s.end())) {
            return "ts_start must not be after ts_end";
        }
        if (s.end().isAfter(now.plus(skew))) {
            return "ts_end lies in the future by more than " + skew.toSeconds() + " s";
        }
        if (!s.end().isAfter(Instant.EPOCH) || s.end().isBefore(now.minus(retention))) {
            return "ts_end is older than the retention of " + retention.toDays() + " days";
        }
        return null;
    }

    /**
     * Who each credential belongs to, by node and credential, for the credentials each node
     * serves or was ever told to serve (late bytes of a person removed since still count).
     */
    private Map<Served, Owner> owners(List<Batch> batches, List<Sample> candidates, List<Integer> batchOf) {
        Map<Served, Owner> owners = new HashMap<>();
        if (candidates.isEmpty()) {
            return owners;
        }
        UUID[] nodes = new UUID[candidates.size()];
        UUID[] credentials = new UUID[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            nodes[i] = batches.get(batchOf.get(i)).nodeId();
            credentials[i] = UUID.fromString(candidates.get(i).credentialId());
        }
        jdbc.sql("""
                        SELECT DISTINCT x.node_id, c.id, c.engine, c.subscription_id, s.user_id, s.tenant_id
                        FROM unnest(?::uuid[], ?::uuid[]) AS x(node_id, credential_id)
                        JOIN engine_credentials c ON c.id = x.credential_id
                        JOIN subscriptions s ON s.id = c.subscription_id
                        WHERE EXISTS (SELECT 1 FROM node_served ns
                                      WHERE ns.node_id = x.node_id AND ns.credential_id = c.id)
                           OR EXISTS (SELECT 1 FROM node_state_changes l
                                      WHERE l.node_id = x.node_id AND l.credential_id = c.id)""")
                .params(nodes, credentials)
                .query(rs -> {
                    Owner owner = new Owner(rs.getObject(2, UUID.class), Engine.fromDb(rs.getString(3)),
                            rs.getObject(4, UUID.class), rs.getObject(5, UUID.class), rs.getObject(6, UUID.class));
                    owners.put(new Served(rs.getObject(1, UUID.class), owner.credentialId()), owner);
                });
        return owners;
    }

    private static List<Rejection> sorted(List<Rejection> rejected) {
        return rejected.stream().sorted(java.util.Comparator.comparingInt(Rejection::index)).toList();
    }
}

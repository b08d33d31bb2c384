package dev.gatehouse.bench;

import dev.gatehouse.testkit.AdminApi;
import com.google.protobuf.Timestamp;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.NodeSessionGrpc;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.proto.session.SessionChannels;
import dev.gatehouse.testkit.NodeKeys;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Traffic ingest as node agents drive it: {@code --nodes} agents (200) over real mTLS sessions, each
 * sending one sample per subscription it serves ({@code --subscriptions} in all, 100k) for
 * {@code --rounds} rounds (10), one batch in flight per agent. Then, on the same table with the same
 * indexes and ledger update, a plain JDBC unnest writer as the raw limit (one and two writers), and
 * a replay of every stored sample (all duplicates). Subscriptions, credentials and the served sets
 * are laid out in SQL, since the benchmark is the ingest, not their creation.
 */
final class IngestBench {

    private final Path root;
    private final int nodes;
    private final int subscriptions;
    private final int rounds;

    IngestBench(Path root, Options options) {
        this.root = root;
        this.nodes = options.integer("nodes", 200);
        this.subscriptions = options.integer("subscriptions", 100_000);
        this.rounds = options.integer("rounds", 10);
    }

    private record Agent(UUID node, List<UUID> credentials, NodeKeys.Request keys, String certificate,
                         String bundle) {
    }

    /** What one pass of all agents did. */
    private record Pass(long samples, long accepted, long duplicates, double seconds, List<Double> ackMillis) {
        double rate() {
            return samples / seconds;
        }
    }

    void run() throws Exception {
        try (ControlPlane plane = ControlPlane.start(root)) {
            AdminApi api = new AdminApi(plane.apiBase());
            api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
            String tenant = api.post("/tenants", Map.of("name", "Bench", "slug", "bench")).path("id").asString();
            System.out.printf("laying out %,d subscriptions on %d nodes%n", subscriptions, nodes);
            Map<UUID, List<UUID>> served;
            try (Connection c = plane.database()) {
                served = layOut(c, UUID.fromString(tenant));
            }
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < served.size(); i++) {
                NodeKeys.Request keys = NodeKeys.request();
                var enrolled = api.post("/nodes/enroll", Map.of("token", "ghe_bench_" + i, "csr", keys.csrPem()));
                UUID node = UUID.fromString(enrolled.path("node_id").asString());
                agents.add(new Agent(node, served.get(node), keys, enrolled.path("certificate").asString(),
                        enrolled.path("ca_bundle").asString()));
            }
            Instant end = Instant.now().minusSeconds(120);
            System.out.printf("%d agents enrolled; streaming %d rounds%n", agents.size(), rounds);
            Pass ingest = stream(plane.grpcPort(), agents, end, 0);
            Pass replay = stream(plane.grpcPort(), agents, end, 0);
            long raw1;
            long raw2;
            double raw1Seconds;
            double raw2Seconds;
            try (Connection c = plane.database()) {
                long rows = Math.min(ingest.samples(), 500_000);
                long started = System.nanoTime();
                raw1 = rawWriter(plane, agents, end, 1_000_000, rows, 1);
                raw1Seconds = (System.nanoTime() - started) / 1e9;
                started = System.nanoTime();
                raw2 = rawWriter(plane, agents, end, 2_000_000, rows, 2);
                raw2Seconds = (System.nanoTime() - started) / 1e9;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT count(*), count(DISTINCT (node_id, counter_seq)) FROM traffic_events")) {
                    rs.next();
                    System.out.printf("stored %,d events, %,d distinct keys%n", rs.getLong(1), rs.getLong(2));
                }
            }
            List<Double> latencies = new ArrayList<>(ingest.ackMillis());
            Collections.sort(latencies);
            double rawRate1 = raw1 / raw1Seconds;
            double rawRate2 = raw2 / raw2Seconds;
            System.out.println();
            System.out.println("| figure | value |");
            System.out.println("|---|---|");
            System.out.printf("| agents (mTLS sessions) | %d |%n", agents.size());
            System.out.printf("| samples sent, stored once | %,d (%,d accepted, %,d duplicates) |%n", ingest.samples(),
                    ingest.accepted(), ingest.duplicates());
            System.out.printf("| ingest, deduplicated samples/s | %,.0f |%n", ingest.rate());
            System.out.printf("| ack latency p50 / p99 | %.1f ms / %.1f ms |%n", ControlPlane.percentile(latencies, 50),
                    ControlPlane.percentile(latencies, 99));
            System.out.printf("| raw unnest writer, rows/s (1 writer / 2 writers) | %,.0f / %,.0f |%n", rawRate1,
                    rawRate2);
            System.out.printf("| ingest / raw limit (2 writers) | %.0f%% |%n", 100 * ingest.rate() / rawRate2);
            System.out.printf("| replay of %,d stored samples, samples/s (all duplicates: %s) | %,.0f |%n",
                    replay.samples(), replay.duplicates() == replay.samples(), replay.rate());
        }
    }

    /** Subscriptions spread round robin over the nodes, one Xray credential each, as the domain core would serve them. */
    private Map<UUID, List<UUID>> layOut(Connection c, UUID tenant) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO plans (tenant_id, name, engines) VALUES ('" + tenant + "', 'bench', '{xray}')");
            s.execute("INSERT INTO nodes (tenant_id, name, address, engines) SELECT '" + tenant + "', 'node-' || g,"
                    + " 'edge' || g || '.example.net', '{\"xray\": {\"inbounds\": [{\"tag\": \"v\","
                    + " \"protocol\": \"vless\", \"port\": 443}]}}' FROM generate_series(1, " + nodes + ") g");
            s.execute("INSERT INTO node_revisions (node_id, desired_revision) SELECT id, 1 FROM nodes");
            s.execute("INSERT INTO enrollment_tokens (node_id, token_hash, expires_at)"
                    + " SELECT id, sha256(convert_to('ghe_bench_' || (row_number() OVER (ORDER BY id) - 1), 'UTF8')),"
                    + " now() + interval '1 hour' FROM nodes");
            s.execute("INSERT INTO users (tenant_id, username) SELECT '" + tenant + "', 'p' || g"
                    + " FROM generate_series(1, " + subscriptions + ") g");
            s.execute("INSERT INTO subscriptions (tenant_id, user_id, plan_id, state, engines, starts_at, sub_token_hash)"
                    + " SELECT u.tenant_id, u.id, (SELECT id FROM plans), 'active', '{xray}', now(),"
                    + " sha256(convert_to(u.id::text, 'UTF8')) FROM users u WHERE u.tenant_id = '" + tenant + "'");
            s.execute("INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)"
                    + " SELECT tenant_id, id, 'xray', gen_random_uuid(), '' FROM subscriptions");
            s.execute("""
                    INSERT INTO node_served (node_id, credential_id, engine, subscription_id, user_id, tenant_id, revision)
                    SELECT n.id, c.id, 'xray', c.subscription_id, s.user_id, c.tenant_id, 1
                    FROM (SELECT c.*, row_number() OVER (ORDER BY c.id) AS k FROM engine_credentials c) c
                    JOIN subscriptions s ON s.id = c.subscription_id
                    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM nodes) n
                      ON n.k = c.k % """ + nodes);
            s.execute("ANALYZE");
        }
        Map<UUID, List<UUID>> served = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT node_id, credential_id FROM node_served ORDER BY node_id")) {
            while (rs.next()) {
                served.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                        .add(rs.getObject(2, UUID.class));
            }
        }
        return served;
    }

    /** Every agent streams its rounds over its own session; one batch in flight per agent. */
    private Pass stream(int port, List<Agent> agents, Instant end, long seqOffset) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(agents.size());
        List<Future<long[]>> results = new ArrayList<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        for (Agent agent : agents) {
            results.add(pool.submit(() -> streamOne(port, agent, end, seqOffset, latencies)));
        }
        long samples = 0;
        long accepted = 0;
        long duplicates = 0;
        for (Future<long[]> result : results) {
            long[] r = result.get();
            samples += r[0];
            accepted += r[1];
            duplicates += r[2];
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        return new Pass(samples, accepted, duplicates, seconds, latencies);
    }

    private long[] streamOne(int port, Agent agent, Instant end, long seqOffset, List<Double> latencies)
            throws Exception {
        ManagedChannel channel = SessionChannels.mtls("127.0.0.1", port, agent.keys().keys().getPrivate(),
                agent.certificate(), agent.bundle());
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        StreamObserver<AgentMessage> requests = NodeSessionGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(ControlMessage value) {
                if (value.hasTrafficAck()) {
                    replies.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                replies.add(t);
            }

            @Override
            public void onCompleted() {
                replies.add(new IllegalStateException("the session ended"));
            }
        });
        requests.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setCapabilityVersion(1)
                .setAgentVersion("bench").setLastAppliedRevision(1)).build());
        long[] totals = new long[3];
        try {
            for (int round = 0; round < rounds; round++) {
                TrafficBatch.Builder batch = TrafficBatch.newBuilder().setBatchId(round + 1);
                Timestamp endTs = Timestamp.newBuilder().setSeconds(end.getEpochSecond() - round).build();
                Timestamp startTs = Timestamp.newBuilder().setSeconds(end.getEpochSecond() - round - 10).build();
                for (int k = 0; k < agent.credentials().size(); k++) {
                    batch.addSamples(TrafficSample.newBuilder().setCredentialId(agent.credentials().get(k).toString())
                            .setEngine(Engine.ENGINE_XRAY).setCounterSeq(seqOffset + (long) round * 1_000_000 + k)
                            .setTsStart(startTs).setTsEnd(endTs).setBytesUp(1000 + k).setBytesDown(5000 + k));
                }
                long sent = System.nanoTime();
                requests.onNext(AgentMessage.newBuilder().setTraffic(batch).build());
                Object reply = replies.poll(120, TimeUnit.SECONDS);
                if (!(reply instanceof ControlMessage ack)) {
                    throw new IllegalStateException("no acknowledgement: " + reply);
                }
                latencies.add((System.nanoTime() - sent) / 1e6);
                totals[0] += batch.getSamplesCount();
                totals[1] += ack.getTrafficAck().getAccepted();
                totals[2] += ack.getTrafficAck().getDuplicates();
            }
        } finally {
            requests.onCompleted();
            channel.shutdownNow();
        }
        return totals;
    }

    /**
     * The raw limit: the same INSERT ... unnest ... ON CONFLICT DO NOTHING RETURNING and ledger update
     * the ingest runs, from plain JDBC with attribution already known, in batches of one agent's
     * samples, with {@code writers} connections at once.
     */
    private long rawWriter(ControlPlane plane, List<Agent> agents, Instant end, long seqBase, long rows, int writers)
            throws Exception {
        Map<UUID, UUID[]> owners = new HashMap<>();
        try (Connection c = plane.database(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT credential_id, subscription_id, user_id, tenant_id FROM node_served")) {
            while (rs.next()) {
                owners.put(rs.getObject(1, UUID.class), new UUID[] {rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), rs.getObject(4, UUID.class)});
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Long>> done = new ArrayList<>();
        long perWriter = rows / writers;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                long written = 0;
                try (Connection c = plane.database()) {
                    c.setAutoCommit(false);
                    PreparedStatement insert = c.prepareStatement("""
                            INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                                        subscription_id, event_start_ts, bytes_up, bytes_down)
                            SELECT e.end_ts, ?, 'xray', e.user_id, e.seq, e.tenant_id, e.subscription_id,
                                   e.end_ts - interval '10 seconds', e.up, e.down
                            FROM unnest(?::timestamptz[], ?::uuid[], ?::bigint[], ?::uuid[], ?::uuid[], ?::bigint[],
                                        ?::bigint[]) AS e(end_ts, user_id, seq, tenant_id, subscription_id, up, down)
                            ON CONFLICT DO NOTHING
                            RETURNING subscription_id, bytes_up, bytes_down""");
                    PreparedStatement ledger = c.prepareStatement("""
                            UPDATE subscriptions s SET used_bytes_up = s.used_bytes_up + d.up,
                                   used_bytes_down = s.used_bytes_down + d.down,
                                   lifetime_bytes_up = s.lifetime_bytes_up + d.up,
                                   lifetime_bytes_down = s.lifetime_bytes_down + d.down
                            FROM (SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::bigint[]) AS d(id, up, down)) d
                            WHERE s.id = d.id""");
                    int round = 0;
                    while (written < perWriter) {
                        for (int a = writer; a < agents.size() && written < perWriter; a += writers) {
                            Agent agent = agents.get(a);
                            int n = agent.credentials().size();
                            java.sql.Timestamp[] ends = new java.sql.Timestamp[n];
                            UUID[] users = new UUID[n];
                            Long[] seqs = new Long[n];
                            UUID[] tenants = new UUID[n];
                            UUID[] subs = new UUID[n];
                            Long[] ups = new Long[n];
                            Long[] downs = new Long[n];
                            for (int k = 0; k < n; k++) {
                                UUID[] owner = owners.get(agent.credentials().get(k));
                                ends[k] = java.sql.Timestamp.from(end.minusSeconds(round));
                                users[k] = owner[1];
                                seqs[k] = seqBase + (long) round * 1_000_000 + k;
                                tenants[k] = owner[2];
                                subs[k] = owner[0];
                                ups[k] = 1000L + k;
                                downs[k] = 5000L + k;
                            }
                            insert.setObject(1, agent.node());
                            insert.setArray(2, c.createArrayOf("timestamptz", ends));
                            insert.setArray(3, c.createArrayOf("uuid", users));
                            insert.setArray(4, c.createArrayOf("bigint", seqs));
                            insert.setArray(5, c.createArrayOf("uuid", tenants));
                            insert.setArray(6, c.createArrayOf("uuid", subs));
                            insert.setArray(7, c.createArrayOf("bigint", ups));
                            insert.setArray(8, c.createArrayOf("bigint", downs));
                            List<UUID> ids = new ArrayList<>();
                            List<Long> up = new ArrayList<>();
                            List<Long> down = new ArrayList<>();
                            try (ResultSet rs = insert.executeQuery()) {
                                while (rs.next()) {
                                    ids.add(rs.getObject(1, UUID.class));
                                    up.add(rs.getLong(2));
                                    down.add(rs.getLong(3));
                                }
                            }
                            Array idArray = c.createArrayOf("uuid", ids.toArray());
                            ledger.setArray(1, idArray);
                            ledger.setArray(2, c.createArrayOf("bigint", up.toArray()));
                            ledger.setArray(3, c.createArrayOf("bigint", down.toArray()));
                            ledger.executeUpdate();
                            c.commit();
                            written += ids.size();
                        }
                        round++;
                    }
                }
                return written;
            }));
        }
        long total = 0;
        for (Future<Long> f : done) {
            total += f.get();
        }
        pool.shutdown();
        return total;
    }
}

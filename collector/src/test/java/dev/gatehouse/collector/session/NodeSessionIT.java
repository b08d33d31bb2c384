package dev.gatehouse.collector.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.gatehouse.collector.AgentStream;
import dev.gatehouse.collector.CollectorTest;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.Credentials;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.GoodbyeCode;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.NodeKey;
import dev.gatehouse.proto.session.SessionChannels;
import dev.gatehouse.proto.agent.v1.TrafficAck;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.testkit.NodeKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A node's session over real gRPC with mutual TLS and certificates from the real CA, against real
 * PostgreSQL and Redis: the desired state arrives on Hello, traffic is counted exactly once, a
 * crossed quota takes the person off the node at once, and only the node's own valid certificate
 * gets in.
 */
class NodeSessionIT extends CollectorTest {

    private static final String ENGINES = """
            {"xray": {"inbounds": [{"tag": "vless-in", "protocol": "vless", "port": 443, "security": "reality",
                                    "flow": "xtls-rprx-vision",
                                    "reality": {"server_name": "www.example.com", "short_id": "ab",
                                                "public_key": "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw"}}]},
             "wireguard": {"interface_name": "wg0", "listen_port": 51820, "address": "10.66.0.1/16"}}""";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    NodeCa ca;

    @Autowired
    Credentials credentials;

    @Autowired
    DesiredState desired;

    @Autowired
    NodeSessions sessions;

    @Autowired
    CollectorServer server;

    @Autowired
    dev.gatehouse.domain.traffic.TrafficIngest ingest;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private record Served(UUID node, UUID subscription, UUID credential) {
    }

    /** A tenant, a person with an Xray subscription of {@code quota} bytes, a node serving it. */
    private Served served(long quota) {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        UUID tenant = jdbc.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id").params(slug, slug)
                .query(UUID.class).single();
        UUID plan = jdbc.sql("INSERT INTO plans (tenant_id, name, engines) VALUES (?, 'p', '{xray}') RETURNING id")
                .param(tenant).query(UUID.class).single();
        UUID node = jdbc.sql("INSERT INTO nodes (tenant_id, name, address, engines) VALUES (?, 'n', 'n.example.net',"
                + " ?::jsonb) RETURNING id").params(tenant, ENGINES).query(UUID.class).single();
        jdbc.sql("INSERT INTO node_revisions (node_id) VALUES (?)").param(node).update();
        UUID subscription = subscribedOn(node, plan, quota);
        UUID credential = jdbc.sql("SELECT id FROM engine_credentials WHERE subscription_id = ?").param(subscription)
                .query(UUID.class).single();
        return new Served(node, subscription, credential);
    }

    /** A new person of the node's tenant with an active Xray subscription on the node, served there. */
    private UUID subscribedOn(UUID node, UUID plan, long quota) {
        UUID tenant = jdbc.sql("SELECT tenant_id FROM nodes WHERE id = ?").param(node).query(UUID.class).single();
        UUID person = jdbc.sql("INSERT INTO users (tenant_id, username) VALUES (?, ?) RETURNING id")
                .params(tenant, "p-" + UUID.randomUUID().toString().substring(0, 8)).query(UUID.class).single();
        UUID subscription = jdbc.sql("""
                        INSERT INTO subscriptions (tenant_id, user_id, plan_id, state, engines, quota_bytes, starts_at,
                                                   sub_token_hash)
                        VALUES (?, ?, ?, 'active', '{xray}', ?, now(), sha256(gen_random_uuid()::text::bytea))
                        RETURNING id""")
                .params(tenant, person, plan, quota).query(UUID.class).single();
        jdbc.sql("INSERT INTO node_assignments (subscription_id, node_id, tenant_id, role) VALUES (?, ?, ?, 'primary')")
                .params(subscription, node, tenant).update();
        tx.executeWithoutResult(t -> {
            credentials.ensure(subscription);
            desired.syncSubscriptions(List.of(subscription));
        });
        return subscription;
    }

    private record Agent(io.grpc.stub.StreamObserver<AgentMessage> requests, BlockingQueue<Object> replies) {

        void send(AgentMessage message) {
            requests.onNext(message);
        }

        /** The next control message, or the Status the stream ended with. */
        Object next() throws InterruptedException {
            Object reply = replies.poll(20, TimeUnit.SECONDS);
            assertThat(reply).as("a reply within 20 s").isNotNull();
            return reply;
        }

        ControlMessage message() throws InterruptedException {
            Object reply = next();
            assertThat(reply).as("a message, not the end of the stream").isInstanceOf(ControlMessage.class);
            return (ControlMessage) reply;
        }
    }

    private static X509Certificate[] certificates(String pem) throws Exception {
        return SessionChannels.certificates(pem);
    }

    private Agent connect(KeyPair keys, String certificatePem) {
        ManagedChannel channel = SessionChannels.mtls("127.0.0.1", GRPC_PORT, keys.getPrivate(), certificatePem,
                ca.trustBundle());
        channels.add(channel);
        AgentStream stream = AgentStream.open(channel);
        return new Agent(stream.requests(), stream.replies());
    }

    /** A session past its greeting: Welcome and the first snapshot read; the snapshot's revision. */
    private record Greeted(Agent agent, long revision) {
    }

    private Greeted greeted(Enrolled enrolled) throws InterruptedException {
        Agent agent = connect(enrolled.keys(), enrolled.certificatePem());
        agent.send(hello(0));
        assertThat(agent.message().hasWelcome()).isTrue();
        return new Greeted(agent, agent.message().getSnapshot().getRevision());
    }

    private record Enrolled(KeyPair keys, String certificatePem) {
    }

    private Enrolled enrol(UUID node) {
        NodeKeys.Request request = NodeKeys.request();
        NodeCa.Issued issued = tx.execute(s -> ca.issue(node, NodeCa.parseRequest(request.csrPem())));
        return new Enrolled(request.keys(), issued.certificatePem());
    }

    private static AgentMessage hello(long lastApplied) {
        return AgentMessage.newBuilder().setHello(Hello.newBuilder().setCapabilityVersion(1).setAgentVersion("test")
                .setLastAppliedRevision(lastApplied)).build();
    }

    private static TrafficSample sample(UUID credential, long seq, long up, long down) {
        Instant end = Instant.now().minusSeconds(5);
        return TrafficSample.newBuilder().setCredentialId(credential.toString()).setEngine(Engine.ENGINE_XRAY)
                .setTsStart(Timestamp.newBuilder().setSeconds(end.getEpochSecond() - 10))
                .setTsEnd(Timestamp.newBuilder().setSeconds(end.getEpochSecond()))
                .setCounterSeq(seq).setBytesUp(up).setBytesDown(down).build();
    }

    private static AgentMessage batch(long id, TrafficSample... samples) {
        return AgentMessage.newBuilder().setTraffic(TrafficBatch.newBuilder().setBatchId(id)
                .addAllSamples(List.of(samples))).build();
    }

    private long used(UUID subscription) {
        return jdbc.sql("SELECT used_bytes_up + used_bytes_down FROM subscriptions WHERE id = ?").param(subscription)
                .query(Long.class).single();
    }

    @Test
    void helloGetsTheDesiredStateAndTrafficIsCountedExactlyOnce() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent agent = connect(enrolled.keys(), enrolled.certificatePem());
        agent.send(hello(0));
        assertThat(agent.message().getWelcome().getNodeId()).isEqualTo(s.node().toString());
        var snapshot = agent.message().getSnapshot();
        assertThat(snapshot.getRevision()).isPositive();
        assertThat(snapshot.getConfig().getXrayInboundsList()).singleElement().satisfies(in -> {
            assertThat(in.getTag()).isEqualTo("vless-in");
            assertThat(in.getSecurity()).isEqualTo("reality");
            assertThat(in.getFlow()).isEqualTo("xtls-rprx-vision");
            assertThat(in.getRealityPublicKey()).hasSize(43);
            assertThat(in.getServerName()).isEqualTo("www.example.com");
        });
        assertThat(snapshot.getConfig().getWireguard().getListenPort()).isEqualTo(51820);
        assertThat(snapshot.getCredentialsList()).singleElement().satisfies(c -> {
            assertThat(c.getCredentialId()).isEqualTo(s.credential().toString());
            assertThat(c.getXray().getUuid()).hasSize(36);
        });
        assertThat(jdbc.sql("SELECT status FROM nodes WHERE id = ?").param(s.node()).query(String.class).single())
                .isEqualTo("online");
        agent.send(AgentMessage.newBuilder().setApplied(dev.gatehouse.proto.agent.v1.AppliedRevision.newBuilder()
                .setRevision(snapshot.getRevision()).addFailures(dev.gatehouse.proto.agent.v1.ApplyFailure.newBuilder()
                        .setCredentialId(s.credential().toString()).setReason("core refused the user"))).build());

        TrafficSample first = sample(s.credential(), 1, 100, 200);
        // The applied revision was stored before this batch (messages of a session are handled in order).
        TrafficSample second = sample(s.credential(), 2, 300, 400);
        agent.send(batch(1, first, second, first));
        TrafficAck ack = agent.message().getTrafficAck();
        assertThat(ack.getBatchId()).isEqualTo(1);
        assertThat(ack.getAccepted()).isEqualTo(2);
        assertThat(ack.getDuplicates()).as("the same key twice in one batch").isEqualTo(1);
        assertThat(used(s.subscription())).isEqualTo(1000);
        assertThat(jdbc.sql("SELECT applied_revision || ' ' || (apply_failures -> 0 ->> 'reason') FROM node_revisions"
                + " WHERE node_id = ?").param(s.node()).query(String.class).single())
                .isEqualTo(snapshot.getRevision() + " core refused the user");

        agent.send(batch(1, first, second));
        TrafficAck resent = agent.message().getTrafficAck();
        assertThat(resent.getAccepted()).isZero();
        assertThat(resent.getDuplicates()).isEqualTo(2);
        assertThat(used(s.subscription())).as("a resend counts nothing").isEqualTo(1000);

        UUID stranger = UUID.randomUUID();
        TrafficSample future = sample(s.credential(), 3, 1, 1).toBuilder()
                .setTsEnd(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 3600)).build();
        TrafficSample huge = sample(s.credential(), 4, 1, 1).toBuilder().setBytesUp(-1L).build();
        agent.send(batch(2, sample(stranger, 5, 10, 10), future, huge, sample(s.credential(), 6, 0, 0)));
        TrafficAck mixed = agent.message().getTrafficAck();
        assertThat(mixed.getAccepted()).isEqualTo(1);
        assertThat(mixed.getRejectedList()).extracting(r -> r.getIndex() + ": " + r.getReason()).containsExactly(
                "0: credential " + stranger + " was never served by this node",
                "1: ts_end lies in the future by more than 300 s",
                "2: a counter is above 2^63 - 1");
        assertThat(used(s.subscription())).isEqualTo(1000);
        assertThat(jdbc.sql("SELECT count(*) FROM traffic_events WHERE subscription_id = ?").param(s.subscription())
                .query(Long.class).single()).isEqualTo(3);
    }

    @Test
    void batchesOfSeveralNodesGroupedInOneTransactionEachGetTheirOwnCount() {
        Served a = served(1_000_000);
        Served b = served(1_000_000);
        TrafficSample a1 = sample(a.credential(), 1, 10, 10);
        TrafficSample a2 = sample(a.credential(), 2, 20, 20);
        TrafficSample b1 = sample(b.credential(), 1, 30, 30);
        List<dev.gatehouse.domain.traffic.TrafficIngest.Result> results = ingest.ingestAll(List.of(
                batchOf(a.node(), a1, a2), batchOf(b.node(), b1, b1), batchOf(a.node(), a1),
                batchOf(b.node(), sample(a.credential(), 3, 1, 1))));
        assertThat(results).extracting(r -> r.accepted() + "/" + r.duplicates() + "/" + r.rejected().size())
                .containsExactly("2/0/0", "1/1/0", "0/1/0", "0/0/1");
        assertThat(used(a.subscription())).isEqualTo(60);
        assertThat(used(b.subscription())).isEqualTo(60);
    }

    private static dev.gatehouse.domain.traffic.TrafficIngest.Batch batchOf(UUID node, TrafficSample... samples) {
        List<dev.gatehouse.domain.traffic.TrafficIngest.Sample> converted = new ArrayList<>();
        for (int i = 0; i < samples.length; i++) {
            TrafficSample s = samples[i];
            converted.add(new dev.gatehouse.domain.traffic.TrafficIngest.Sample(i, s.getCredentialId(),
                    dev.gatehouse.domain.model.Engine.XRAY,
                    Instant.ofEpochSecond(s.getTsStart().getSeconds(), s.getTsStart().getNanos()),
                    Instant.ofEpochSecond(s.getTsEnd().getSeconds(), s.getTsEnd().getNanos()), s.getCounterSeq(),
                    s.getBytesUp(), s.getBytesDown(), null, null));
        }
        return new dev.gatehouse.domain.traffic.TrafficIngest.Batch(node, converted);
    }

    @Test
    void aSampleWhoseStartIsItsEndIsStoredAtMicrosecondPrecision() throws Exception {
        Served s = served(1_000_000);
        Agent agent = greeted(enrol(s.node())).agent();
        // An agent's first reading after a start spans nothing: start = end, with nanoseconds.
        Timestamp at = Timestamp.newBuilder().setSeconds(Instant.now().minusSeconds(5).getEpochSecond())
                .setNanos(123_456_789).build();
        agent.send(batch(1, sample(s.credential(), 1, 10, 20).toBuilder().setTsStart(at).setTsEnd(at).build()));
        assertThat(agent.message().getTrafficAck().getAccepted()).isEqualTo(1);
        assertThat(used(s.subscription())).isEqualTo(30);
    }

    @Test
    void aLargeSnapshotComesInPartsUnderTheMessageLimit() throws Exception {
        Served s = served(1_000_000);
        UUID plan = jdbc.sql("SELECT plan_id FROM subscriptions WHERE id = ?").param(s.subscription())
                .query(UUID.class).single();
        subscribedOn(s.node(), plan, 1_000_000);
        subscribedOn(s.node(), plan, 1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent agent = connect(enrolled.keys(), enrolled.certificatePem());
        agent.send(hello(0));
        agent.message();
        var first = agent.message().getSnapshot();
        var second = agent.message().getSnapshot();
        assertThat(first.getPart() + "/" + first.getParts() + " " + second.getPart() + "/" + second.getParts())
                .isEqualTo("1/2 2/2");
        assertThat(first.getRevision()).isEqualTo(second.getRevision());
        assertThat(first.getCredentialsCount() + second.getCredentialsCount()).isEqualTo(3);
        assertThat(first.hasConfig()).isTrue();
        assertThat(second.hasConfig()).isFalse();
    }

    @Test
    void crossingTheQuotaTakesTheCredentialOffTheNodeAtOnce() throws Exception {
        Served s = served(1000);
        Enrolled enrolled = enrol(s.node());
        Greeted greeted = greeted(enrolled);
        Agent agent = greeted.agent();
        long revision = greeted.revision();

        agent.send(batch(1, sample(s.credential(), 1, 600, 500)));
        // The acknowledgement and the diff that removes the person race: either may come first.
        List<ControlMessage> replies = List.of(agent.message(), agent.message());
        ControlMessage crossing = replies.stream().filter(ControlMessage::hasTrafficAck).findFirst().orElseThrow();
        assertThat(crossing.getTrafficAck().getAccepted()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT state FROM subscriptions WHERE id = ?").param(s.subscription())
                .query(String.class).single()).isEqualTo("exhausted");
        var diff = replies.stream().filter(ControlMessage::hasDiff).findFirst().orElseThrow().getDiff();
        assertThat(diff.getFromRevision()).isEqualTo(revision);
        assertThat(diff.getConfig().getXrayInbounds(0).getPort()).isEqualTo(443);
        assertThat(diff.getRemovalsList()).singleElement()
                .satisfies(r -> assertThat(r.getCredentialId()).isEqualTo(s.credential().toString()));

        // Bytes the core counted before it removed the person still count: the node was told to serve them.
        agent.send(batch(2, sample(s.credential(), 2, 30, 40)));
        ControlMessage late = agent.message();
        assertThat(late.getTrafficAck().getAccepted()).as(late.toString()).isEqualTo(1);
        assertThat(used(s.subscription())).isEqualTo(1170);
    }

    @Test
    void aNewerSessionSupersedesTheOlderAndDisablingTheNodeEndsIt() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent older = greeted(enrolled).agent();
        Agent newer = greeted(enrolled).agent();
        assertThat(older.message().getGoodbye().getCode()).isEqualTo(GoodbyeCode.GOODBYE_CODE_SUPERSEDED);
        assertThat(meters.get("gatehouse_collector_certificate_expiry_seconds").tag("node", s.node().toString())
                .gauge().value()).isBetween(6.0 * 86400, 7.0 * 86400);

        // Another collector announces a session of the node: this one's gives way too.
        Agent third = greeted(enrolled).agent();
        redis.convertAndSend(REDIS_NAMESPACE + ":node-sessions", UUID.randomUUID() + " " + s.node());
        assertThat(newer.message().getGoodbye().getCode()).isEqualTo(GoodbyeCode.GOODBYE_CODE_SUPERSEDED);
        assertThat(third.message().getGoodbye().getCode()).isEqualTo(GoodbyeCode.GOODBYE_CODE_SUPERSEDED);
        newer = greeted(enrolled).agent();

        tx.executeWithoutResult(t -> {
            jdbc.sql("UPDATE nodes SET status = 'disabled' WHERE id = ?").param(s.node()).update();
            desired.closed(s.node(), dev.gatehouse.domain.node.NodeEvent.Reason.DISABLED);
        });
        assertThat(newer.message().getGoodbye().getCode()).isEqualTo(GoodbyeCode.GOODBYE_CODE_NODE_DISABLED);
        Agent refused = connect(enrolled.keys(), enrolled.certificatePem());
        refused.send(hello(0));
        assertThat(refused.next()).isInstanceOfSatisfying(Status.class, status -> {
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).isEqualTo("the node is disabled");
        });
    }

    @Test
    void aNodeRenewsItsCertificateOverItsSessionAndConnectsWithTheNewOne() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent agent = greeted(enrolled).agent();
        NodeKeys.Request fresh = NodeKeys.request();
        agent.send(AgentMessage.newBuilder().setRenew(dev.gatehouse.proto.agent.v1.RenewRequest.newBuilder()
                .setCsr(fresh.csrPem())).build());
        var renewed = agent.message().getRenewed();
        X509Certificate certificate = certificates(renewed.getCertificate())[0];
        assertThat(NodeCa.nodeOf(certificate)).contains(s.node());
        assertThat(certificate.getPublicKey()).isEqualTo(fresh.keys().getPublic());
        assertThat(jdbc.sql("SELECT count(*) FROM node_certificates WHERE node_id = ?").param(s.node())
                .query(Long.class).single()).isEqualTo(2);

        Agent again = connect(fresh.keys(), renewed.getCertificate());
        again.send(hello(0));
        assertThat(again.message().getWelcome().getNodeId()).isEqualTo(s.node().toString());

        again.send(AgentMessage.newBuilder().setRenew(dev.gatehouse.proto.agent.v1.RenewRequest.newBuilder()
                .setCsr(NodeKeys.request(NodeKeys.ecP256(), true).csrPem())).build());
        again.message();
        assertThat(again.next()).isInstanceOfSatisfying(Status.class,
                status -> assertThat(status.getDescription()).contains("asks for a CA certificate"));
    }

    @Test
    void keysMadeOnTheNodeAreStoredFromHelloAndMalformedOnesLeftOut() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent agent = connect(enrolled.keys(), enrolled.certificatePem());
        String wireguard = "hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4=";
        String reality = "SbVKOEMjK0sIlbwg4akyBg5mL5KZwwB-ed4eEE7YnRc";
        agent.send(AgentMessage.newBuilder().setHello(hello(0).getHello().toBuilder()
                .addKeys(NodeKey.newBuilder().setEngine(Engine.ENGINE_WIREGUARD).setPublicKey(wireguard))
                .addKeys(NodeKey.newBuilder().setEngine(Engine.ENGINE_XRAY).setInboundTag("vless-in")
                        .setPublicKey(reality))
                .addKeys(NodeKey.newBuilder().setEngine(Engine.ENGINE_XRAY).setInboundTag("no-such-inbound")
                        .setPublicKey(reality))).build());
        assertThat(agent.message().hasWelcome()).isTrue();
        assertThat(jdbc.sql("SELECT (engines #>> '{wireguard,public_key}') || ' ' || (engines #>> "
                        + "'{xray,inbounds,0,reality,public_key}') FROM nodes WHERE id = ?").param(s.node())
                .query(String.class).single()).isEqualTo(wireguard + " " + reality);

        Agent again = connect(enrolled.keys(), enrolled.certificatePem());
        String nodeWide = "hBnLK4lSNa0r3D-qk1uAXlVwFRvtnzBzmwdR1c1xvQ4";
        again.send(AgentMessage.newBuilder().setHello(hello(0).getHello().toBuilder()
                .addKeys(NodeKey.newBuilder().setEngine(Engine.ENGINE_WIREGUARD).setPublicKey("not-a-key"))
                .addKeys(NodeKey.newBuilder().setEngine(Engine.ENGINE_XRAY).setPublicKey(nodeWide))).build());
        assertThat(again.message().hasWelcome()).isTrue();
        assertThat(jdbc.sql("SELECT engines #>> '{wireguard,public_key}' FROM nodes WHERE id = ?").param(s.node())
                .query(String.class).single()).as("a malformed key changes nothing").isEqualTo(wireguard);
        assertThat(jdbc.sql("SELECT engines #>> '{xray,inbounds,0,reality,public_key}' FROM nodes WHERE id = ?")
                .param(s.node()).query(String.class).single()).as("a key with no tag: every REALITY inbound")
                .isEqualTo(nodeWide);
    }

    @Test
    void theEndpointRenewsItsOwnCertificateWithoutDroppingOpenSessions() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent open = greeted(enrolled).agent();
        java.math.BigInteger before = handshakeSerial(enrolled);
        assertThat(before).isEqualTo(server.serverSerial());

        server.renewServerCertificate();

        java.math.BigInteger after = handshakeSerial(enrolled);
        assertThat(after).isNotEqualTo(before).isEqualTo(server.serverSerial());
        open.send(batch(1, sample(s.credential(), 1, 10, 20)));
        assertThat(open.message().getTrafficAck().getAccepted()).isEqualTo(1);
        Agent fresh = greeted(enrolled).agent();
        fresh.send(batch(2, sample(s.credential(), 2, 10, 20)));
        assertThat(fresh.message().getTrafficAck().getAccepted()).isEqualTo(1);
    }

    /** The serial of the certificate the endpoint presents to a new TLS handshake. */
    private java.math.BigInteger handshakeSerial(Enrolled enrolled) throws Exception {
        return presentedCertificate(enrolled.keys().getPrivate(), enrolled.certificatePem(), ca.trustBundle())
                .getSerialNumber();
    }

    private static AgentMessage applied(long revision) {
        return AgentMessage.newBuilder().setApplied(dev.gatehouse.proto.agent.v1.AppliedRevision.newBuilder()
                .setRevision(revision)).build();
    }

    /** Sends the acknowledgement, then an empty batch: its ack means the acknowledgement was handled. */
    private static void acknowledge(Agent agent, long revision, long batchId) throws InterruptedException {
        agent.send(applied(revision));
        agent.send(batch(batchId));
        assertThat(agent.message().getTrafficAck().getBatchId()).isEqualTo(batchId);
    }

    @Test
    void aCutOffIsTimedFromItsChangeToTheAgentsAcknowledgementAndAdditionsAreNot() throws Exception {
        io.micrometer.core.instrument.Timer enforcement = meters.get("gatehouse_collector_enforcement_seconds").timer();
        Served s = served(1_000_000);
        UUID plan = jdbc.sql("SELECT plan_id FROM subscriptions WHERE id = ?").param(s.subscription())
                .query(UUID.class).single();
        Enrolled enrolled = enrol(s.node());
        Greeted greeted = greeted(enrolled);
        Agent agent = greeted.agent();
        acknowledge(agent, greeted.revision(), 1);
        long before = enforcement.count();

        UUID added = subscribedOn(s.node(), plan, 1_000_000);
        var addition = agent.message().getDiff();
        assertThat(addition.getUpsertsCount()).isEqualTo(1);
        acknowledge(agent, addition.getToRevision(), 2);
        assertThat(enforcement.count()).as("an addition cuts nobody off").isEqualTo(before);

        tx.executeWithoutResult(t -> {
            jdbc.sql("UPDATE subscriptions SET state = 'suspended' WHERE id = ?").param(s.subscription()).update();
            desired.syncSubscriptions(List.of(s.subscription()));
        });
        var removal = agent.message().getDiff();
        assertThat(removal.getRemovalsCount()).isEqualTo(1);
        Thread.sleep(300);
        acknowledge(agent, removal.getToRevision(), 3);
        assertThat(enforcement.count()).isEqualTo(before + 1);
        assertThat(enforcement.max(TimeUnit.SECONDS)).as("at least the time before the acknowledgement")
                .isGreaterThanOrEqualTo(0.3).isLessThan(60);

        // Cut off while the node is away: the wait counts until the node is back and acknowledges.
        long away = removal.getToRevision();
        agent.requests().onCompleted();
        tx.executeWithoutResult(t -> {
            jdbc.sql("UPDATE subscriptions SET state = 'suspended' WHERE id = ?").param(added).update();
            desired.syncSubscriptions(List.of(added));
        });
        Agent back = connect(enrolled.keys(), enrolled.certificatePem());
        back.send(hello(away));
        assertThat(back.message().hasWelcome()).isTrue();
        var missed = back.message().getDiff();
        assertThat(missed.getFromRevision()).isEqualTo(away);
        assertThat(missed.getRemovalsCount()).isEqualTo(1);
        acknowledge(back, missed.getToRevision(), 4);
        assertThat(enforcement.count()).isEqualTo(before + 2);
        assertThat(enforcement.totalTime(TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void aLostNotificationOnlyDelaysTheChangeUntilTheRevisionCheck() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Greeted greeted = greeted(enrolled);
        Agent agent = greeted.agent();
        long revision = greeted.revision();

        // The change is committed, but its notification goes to a namespace no collector listens on.
        DesiredState unheard = new DesiredState(jdbc, new dev.gatehouse.domain.node.NodeEvents(redis, "nobody-listens",
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), java.time.Clock.systemUTC());
        tx.executeWithoutResult(t -> {
            jdbc.sql("UPDATE subscriptions SET state = 'suspended' WHERE id = ?").param(s.subscription()).update();
            unheard.syncSubscriptions(List.of(s.subscription()));
        });
        assertThat(agent.replies().poll(1, TimeUnit.SECONDS)).as("nothing without the notification").isNull();
        sessions.checkRevisions();
        assertThat(meters.get("gatehouse_collector_diffs_pending").gauge().value()).isGreaterThanOrEqualTo(1);
        var diff = agent.message().getDiff();
        assertThat(diff.getFromRevision()).isEqualTo(revision);
        assertThat(diff.getRemovalsList()).extracting(r -> r.getCredentialId()).containsExactly(s.credential().toString());
    }

    @Test
    void aStalledSessionAnOversizedMessageAndAnUnknownNotificationAreEachRefused() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        Agent stalled = greeted(enrolled).agent();
        Thread.sleep(50);
        sessions.endIdle(java.time.Duration.ofMillis(10));
        assertThat(stalled.next()).isInstanceOfSatisfying(Status.class,
                status -> assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(jdbc.sql("SELECT status FROM nodes WHERE id = ?").param(s.node()).query(String.class).single())
                .isEqualTo("offline");

        Agent big = greeted(enrolled).agent();
        TrafficBatch.Builder huge = TrafficBatch.newBuilder().setBatchId(9);
        TrafficSample one = sample(s.credential(), 1, 1, 1).toBuilder().setUserId("x".repeat(1000)).build();
        for (int i = 0; i < 9000; i++) {
            huge.addSamples(one);
        }
        double refusedBefore = meters.counter("gatehouse_collector_messages_refused", "reason", "too_large").count();
        big.send(AgentMessage.newBuilder().setTraffic(huge).build());
        // gRPC refuses a message over the 8 MiB limit before the session sees it, resetting the stream.
        assertThat(big.next()).isInstanceOfSatisfying(Status.class, status -> assertThat(status.getCode())
                .isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED));
        assertThat(used(s.subscription())).isZero();
        long refusedDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (meters.counter("gatehouse_collector_messages_refused", "reason", "too_large").count() == refusedBefore
                && System.nanoTime() < refusedDeadline) {
            Thread.sleep(20);
        }
        assertThat(meters.counter("gatehouse_collector_messages_refused", "reason", "too_large").count())
                .isEqualTo(refusedBefore + 1);

        double before = meters.counter("gatehouse_collector_node_events_ignored").count();
        redis.convertAndSend(REDIS_NAMESPACE + ":node-events", "revision not-a-node 7");
        redis.convertAndSend(REDIS_NAMESPACE + ":node-events", "reboot " + s.node() + " now");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (meters.counter("gatehouse_collector_node_events_ignored").count() < before + 2
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(meters.counter("gatehouse_collector_node_events_ignored").count()).isEqualTo(before + 2);
    }

    @Test
    void onlyTheNodesOwnUnrevokedCertificateFromTheCaGetsIn() throws Exception {
        Served s = served(1_000_000);
        Enrolled enrolled = enrol(s.node());
        tx.executeWithoutResult(t -> ca.revokeAll(s.node()));
        Agent revoked = connect(enrolled.keys(), enrolled.certificatePem());
        revoked.send(hello(0));
        assertThat(revoked.next()).isInstanceOfSatisfying(Status.class, status -> {
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).isEqualTo("the certificate was revoked");
        });

        // A certificate the collector's CAs did not sign never completes the handshake.
        NodeKeys.Request request = NodeKeys.request();
        String foreign = selfSigned(request.keys(), s.node());
        Agent outsider = connect(request.keys(), foreign);
        outsider.send(hello(0));
        assertThat(outsider.next()).isInstanceOfSatisfying(Status.class,
                status -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    /** A certificate that names the node but is signed by its own key, not by the CA. */
    private static String selfSigned(KeyPair keys, UUID node) throws Exception {
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=forged");
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                java.util.Date.from(Instant.now().minusSeconds(60)), java.util.Date.from(Instant.now().plusSeconds(3600)),
                name, keys.getPublic())
                .addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                        new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, NodeCa.nodeUri(node))));
        X509Certificate certificate = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(keys.getPrivate())));
        return NodeCa.pem(certificate);
    }
}

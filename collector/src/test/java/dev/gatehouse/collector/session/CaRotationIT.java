package dev.gatehouse.collector.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.collector.AgentStream;
import dev.gatehouse.collector.CollectorTest;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.support.DomainException;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.RenewRequest;
import dev.gatehouse.proto.session.SessionChannels;
import dev.gatehouse.testkit.NodeKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The node CA rotated in its three steps against the running collector, over real mutual TLS: each
 * step is refused while it would cut a node off, nodes learn the new CA by renewing over their
 * session, and the collector follows each step without a restart (trusted CAs, its own certificate,
 * sessions on a retired CA's certificate).
 */
class CaRotationIT extends CollectorTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    NodeCa ca;

    @Autowired
    CollectorServer server;

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    /** What a node's agent keeps after enrolling or renewing: its key, its certificate, the CA bundle. */
    private record Identity(KeyPair keys, String certificatePem, String bundlePem) {

        X509Certificate certificate() throws Exception {
            return SessionChannels.certificates(certificatePem)[0];
        }
    }

    private UUID node() {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        UUID tenant = jdbc.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id").params(slug, slug)
                .query(UUID.class).single();
        UUID node = jdbc.sql("INSERT INTO nodes (tenant_id, name, address) VALUES (?, 'n', 'n.example.net') RETURNING id")
                .param(tenant).query(UUID.class).single();
        jdbc.sql("INSERT INTO node_revisions (node_id) VALUES (?)").param(node).update();
        return node;
    }

    private Identity enrol(UUID node) {
        NodeKeys.Request request = NodeKeys.request();
        NodeCa.Issued issued = tx.execute(s -> ca.issue(node, NodeCa.parseRequest(request.csrPem())));
        return new Identity(request.keys(), issued.certificatePem(), issued.caBundlePem());
    }

    /** A session opened with the node's key and certificate, trusting only the bundle the node holds. */
    private AgentStream connect(Identity identity) {
        ManagedChannel channel = SessionChannels.mtls("127.0.0.1", GRPC_PORT, identity.keys().getPrivate(),
                identity.certificatePem(), identity.bundlePem());
        channels.add(channel);
        AgentStream stream = AgentStream.open(channel);
        stream.requests().onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setCapabilityVersion(1)
                .setAgentVersion("test")).build());
        return stream;
    }

    private static Object next(AgentStream stream) throws InterruptedException {
        Object reply = stream.replies().poll(20, TimeUnit.SECONDS);
        assertThat(reply).as("a reply within 20 s").isNotNull();
        return reply;
    }

    /** Connects and asserts the collector welcomes the node. */
    private AgentStream welcomed(Identity identity, UUID node) throws InterruptedException {
        AgentStream stream = connect(identity);
        Object reply = next(stream);
        assertThat(reply).as("a Welcome, not the end of the stream").isInstanceOf(ControlMessage.class);
        assertThat(((ControlMessage) reply).getWelcome().getNodeId()).isEqualTo(node.toString());
        return stream;
    }

    private Status refused(Identity identity) throws InterruptedException {
        Object reply = next(connect(identity));
        assertThat(reply).as("the session is refused").isInstanceOf(Status.class);
        return (Status) reply;
    }

    private static List<String> fingerprints(String bundlePem) throws Exception {
        return Arrays.stream(SessionChannels.certificates(bundlePem)).map(NodeCa::fingerprint).toList();
    }

    private static boolean signedBy(X509Certificate certificate, NodeCa.Authority authority) throws Exception {
        try {
            certificate.verify(SessionChannels.certificates(authority.certificatePem())[0].getPublicKey());
            return true;
        } catch (java.security.SignatureException | java.security.InvalidKeyException e) {
            return false;
        }
    }

    private NodeCa.Authority authority(UUID id) {
        return ca.find(id).orElseThrow();
    }

    private long outstandingBefore(java.time.Instant staged) {
        return jdbc.sql("""
                        SELECT count(*) FROM node_certificates
                        WHERE revoked_at IS NULL AND not_after > now() AND created_at < ?""")
                .param(Timestamp.from(staged)).query(Long.class).single();
    }

    @Test
    void theCaIsRotatedInThreeStepsWithoutCuttingNodesOff() throws Exception {
        UUID first = node();
        Identity firstIdentity = enrol(first);
        NodeCa.Authority old = ca.list(200, 0).stream().filter(NodeCa.Authority::issuing).findFirst().orElseThrow();
        assertThat(fingerprints(firstIdentity.bundlePem())).containsExactly(old.fingerprint());
        welcomed(firstIdentity, first);

        // Step 1: staged, the new CA is trusted and in every bundle, but the old one still issues.
        NodeCa.Authority staged = ca.stage();
        assertThat(staged.state()).isEqualTo(NodeCa.State.STAGED);
        assertThat(staged.issuing()).isFalse();
        assertThat(fingerprints(ca.trustBundle())).containsExactly(old.fingerprint(), staged.fingerprint());
        assertThatThrownBy(ca::stage).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
            assertThat(e.getMessage()).contains("already staged");
        });
        java.math.BigInteger serialBefore = server.serverSerial();
        assertThat(server.refreshTrust()).as("the staged CA is trusted now").isTrue();
        assertThat(server.serverSerial()).as("the issuing CA did not change").isEqualTo(serialBefore);
        assertThat(server.refreshTrust()).as("nothing changed since").isFalse();

        // Step 2 is refused while a node holds a certificate issued before staging: its bundle lacks the new CA.
        long before = outstandingBefore(staged.createdAt());
        assertThat(before).isPositive();
        assertThatThrownBy(() -> ca.promote(staged.id(), false)).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
            assertThat(e.details()).containsEntry("certificate_count", before).containsKey("node_count")
                    .containsKey("last_expiry");
            assertThat(e.getMessage()).contains("force=true");
        });
        assertThat(authority(staged.id()).state()).isEqualTo(NodeCa.State.STAGED);

        // The node renews over its session and learns the new CA; its certificate still comes from the old one.
        AgentStream session = welcomed(firstIdentity, first);
        next(session); // the snapshot
        NodeKeys.Request fresh = NodeKeys.request();
        session.requests().onNext(AgentMessage.newBuilder().setRenew(RenewRequest.newBuilder().setCsr(fresh.csrPem()))
                .build());
        Object renewal = next(session);
        assertThat(renewal).isInstanceOf(ControlMessage.class);
        var renewed = ((ControlMessage) renewal).getRenewed();
        Identity firstRenewed = new Identity(fresh.keys(), renewed.getCertificate(), renewed.getCaBundle());
        assertThat(fingerprints(firstRenewed.bundlePem())).containsExactly(old.fingerprint(), staged.fingerprint());
        assertThat(signedBy(firstRenewed.certificate(), old)).isTrue();
        UUID second = node();
        Identity secondIdentity = enrol(second);
        assertThat(fingerprints(secondIdentity.bundlePem())).containsExactly(old.fingerprint(), staged.fingerprint());

        // A week on, the certificates issued before staging have expired (their nodes renewed, or are gone).
        jdbc.sql("UPDATE node_certificates SET not_after = now() - interval '1 second'"
                + " WHERE created_at < ? AND not_after > now()").param(Timestamp.from(staged.createdAt())).update();
        NodeCa.Step promoted = ca.promote(staged.id(), false);
        assertThat(promoted.authority().state()).isEqualTo(NodeCa.State.ISSUING);
        assertThat(promoted.overridden().none()).isTrue();
        assertThat(authority(old.id()).state()).isEqualTo(NodeCa.State.TRUSTED);
        assertThat(fingerprints(ca.trustBundle())).containsExactly(staged.fingerprint(), old.fingerprint());

        // The collector follows: its certificate now comes from the new CA, and every node gets in.
        assertThat(server.refreshTrust()).isTrue();
        assertThat(server.serverSerial()).isNotEqualTo(serialBefore);
        X509Certificate presented = presented(firstRenewed);
        assertThat(presented.getSerialNumber()).isEqualTo(server.serverSerial());
        assertThat(signedBy(presented, staged)).isTrue();
        UUID third = node();
        Identity thirdIdentity = enrol(third);
        assertThat(signedBy(thirdIdentity.certificate(), staged)).as("issued by the new CA").isTrue();
        welcomed(thirdIdentity, third);
        welcomed(firstRenewed, first);
        AgentStream secondSession = welcomed(secondIdentity, second);
        next(secondSession); // the snapshot

        // Step 3: never the issuing CA; the old one not while certificates it issued are valid, unless forced.
        assertThatThrownBy(() -> ca.retire(staged.id(), true)).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.getMessage()).contains("is the issuing one"));
        assertThatThrownBy(() -> ca.retire(old.id(), false)).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
            assertThat(e.details()).containsEntry("certificate_count", 2L).containsEntry("node_count", 2L);
        });
        NodeCa.Step retired = ca.retire(old.id(), true);
        assertThat(retired.authority().state()).isEqualTo(NodeCa.State.RETIRED);
        assertThat(retired.overridden().certificates()).isEqualTo(2);
        assertThat(fingerprints(ca.trustBundle())).containsExactly(staged.fingerprint());
        assertThat(fingerprints(enrol(node()).bundlePem())).containsExactly(staged.fingerprint());

        // Until the collector reloads its CAs the session check refuses the old CA's certificates; after,
        // the handshake does, and an open session on one ends.
        assertThat(refused(secondIdentity)).satisfies(status -> {
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).isEqualTo("the CA that issued the certificate was retired");
        });
        assertThat(server.refreshTrust()).isTrue();
        assertThat(next(secondSession)).isInstanceOfSatisfying(Status.class,
                status -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(refused(secondIdentity).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused(firstRenewed).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        welcomed(thirdIdentity, third);
        assertThat(server.refreshTrust()).isFalse();
    }

    /** The certificate the endpoint presents to a new TLS handshake. */
    private X509Certificate presented(Identity identity) throws Exception {
        return presentedCertificate(identity.keys().getPrivate(), identity.certificatePem(), identity.bundlePem());
    }
}

package dev.gatehouse.domain.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.domain.support.DomainException;
import dev.gatehouse.testkit.NodeKeys;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The node CA against real PostgreSQL, in a database of its own (the issuing CA is one per
 * installation): certificates say exactly what the CA decides, whatever the request asks.
 */
class NodeCaIT {

    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final String OTHER_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    private static JdbcClient jdbc;
    private static TransactionTemplate tx;
    private static NodeCa ca;

    @BeforeAll
    static void database() {
        TestDatabase db = TestPostgres.instance().createMigratedDatabase();
        DriverManagerDataSource source = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
        jdbc = JdbcClient.create(source);
        tx = new TransactionTemplate(new DataSourceTransactionManager(source));
        ca = new NodeCa(jdbc, DataKey.of(KEY), Clock.systemUTC(), Duration.ofDays(7));
    }

    private static UUID node() {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        UUID tenant = jdbc.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id")
                .params(slug, slug).query(UUID.class).single();
        return jdbc.sql("INSERT INTO nodes (tenant_id, name, address) VALUES (?, 'n', 'n.example.net') RETURNING id")
                .param(tenant).query(UUID.class).single();
    }

    private static List<X509Certificate> certificates(String pem) throws Exception {
        Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        return all.stream().map(c -> (X509Certificate) c).toList();
    }

    @Test
    void aNodeCertificateNamesTheNodeOnlyAndIsAShortLivedClientCertificate() throws Exception {
        UUID node = node();
        NodeKeys.Request request = NodeKeys.request();
        NodeCa.Issued issued = tx.execute(s -> ca.issue(node, NodeCa.parseRequest(request.csrPem())));
        X509Certificate cert = certificates(issued.certificatePem()).get(0);
        X509Certificate root = certificates(issued.caBundlePem()).get(0);
        cert.verify(root.getPublicKey());
        assertThat(cert.getPublicKey()).isEqualTo(request.keys().getPublic());
        assertThat(cert.getSubjectAlternativeNames()).hasSize(1);
        assertThat(NodeCa.nodeOf(cert)).contains(node);
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isBetween(Duration.ofDays(7), Duration.ofDays(7).plusMinutes(6));
        assertThat(root.getBasicConstraints()).isZero();
        assertThat(NodeCa.fingerprint(root)).isEqualTo(ca.fingerprint());
        assertThat(jdbc.sql("SELECT fingerprint FROM node_certificates WHERE serial = ? AND node_id = ?")
                .params(cert.getSerialNumber().toString(16), node).query(String.class).single())
                .isEqualTo(NodeCa.fingerprint(cert)).isEqualTo(issued.fingerprint());

        assertThat(ca.revokeAll(node)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM node_certificates WHERE node_id = ? AND revoked_at IS NULL")
                .param(node).query(Long.class).single()).isZero();
    }

    @Test
    void requestsForMoreThanAClientCertificateOrWithWeakKeysAreRefused() {
        assertThatThrownBy(() -> NodeCa.parseRequest(NodeKeys.request(NodeKeys.ecP256(), true).csrPem()))
                .isInstanceOf(DomainException.class).hasMessageContaining("asks for a CA certificate");
        assertThatThrownBy(() -> NodeCa.parseRequest(NodeKeys.request(NodeKeys.ecP256(), false, "evil.example")
                .csrPem())).hasMessageContaining("asks for names");
        assertThatThrownBy(() -> NodeCa.parseRequest(NodeKeys.request(NodeKeys.rsa(1024), false).csrPem()))
                .hasMessageContaining("2048");
        assertThatThrownBy(() -> NodeCa.parseRequest("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                + "-----END CERTIFICATE REQUEST-----\n")).hasMessageStartingWith("csr: ");
        assertThatThrownBy(() -> NodeCa.parseRequest("hello")).hasMessageStartingWith("csr: is not a PEM");
        String tampered = NodeKeys.request().csrPem().replaceFirst("(?s)(-----\\n.{60})(.)", "$1"
                + "A");
        assertThatThrownBy(() -> NodeCa.parseRequest(tampered)).isInstanceOf(DomainException.class);
        assertThat(NodeCa.parseRequest(NodeKeys.request(NodeKeys.rsa(2048), false).csrPem())).isNotNull();
    }

    @Test
    void theCaIsMadeOnceEvenWhenManyAskAtOnceAndItsKeyOpensOnlyWithTheDataKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> fingerprints = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Callable<String> ask = () -> tx.execute(s -> ca.fingerprint());
            fingerprints.add(pool.submit(ask));
        }
        List<String> seen = new ArrayList<>();
        for (Future<String> f : fingerprints) {
            seen.add(f.get());
        }
        pool.shutdown();
        assertThat(seen).containsOnly(seen.get(0));
        assertThat(jdbc.sql("SELECT count(*) FROM node_cas").query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT position('PRIVATE' in encode(private_key, 'escape')) FROM node_cas")
                .query(Integer.class).single()).isZero();

        NodeCa wrongKey = new NodeCa(jdbc, DataKey.of(OTHER_KEY), Clock.systemUTC(), Duration.ofDays(7));
        UUID node = node();
        assertThatThrownBy(() -> tx.execute(s -> wrongKey.issue(node, NodeCa.parseRequest(NodeKeys.request()
                .csrPem())))).isInstanceOf(DomainException.class).hasMessageContaining("GATEHOUSE_DATA_KEY");
        NodeCa noKey = new NodeCa(jdbc, DataKey.absent(), Clock.systemUTC(), Duration.ofDays(7));
        assertThat(noKey.available()).isFalse();
        assertThatThrownBy(noKey::fingerprint).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.NOT_CONFIGURED));
    }

    @Test
    void aRotationStagesOnceRecordsTheIssuerAndRefusesEachStepThatWouldCutNodesOff() throws Exception {
        TestDatabase own = TestPostgres.instance().createMigratedDatabase();
        DriverManagerDataSource source = new DriverManagerDataSource(own.jdbcUrl(), own.username(), own.password());
        JdbcClient db = JdbcClient.create(source);
        TransactionTemplate inTx = new TransactionTemplate(new DataSourceTransactionManager(source));
        NodeCa rotating = new NodeCa(db, DataKey.of(KEY), Clock.systemUTC(), Duration.ofDays(7));
        assertThatThrownBy(() -> inTx.execute(s -> rotating.stage())).hasMessageContaining("no node CA to rotate");
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        UUID tenant = db.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id").params(slug, slug)
                .query(UUID.class).single();
        UUID node = db.sql("INSERT INTO nodes (tenant_id, name, address) VALUES (?, 'n', 'n.example.net') RETURNING id")
                .param(tenant).query(UUID.class).single();
        NodeCa.Issued early = inTx.execute(s -> rotating.issue(node, NodeCa.parseRequest(NodeKeys.request().csrPem())));
        NodeCa.Authority old = rotating.list(10, 0).get(0);
        assertThat(old.state()).isEqualTo(NodeCa.State.ISSUING);
        assertThat(db.sql("SELECT ca_id FROM node_certificates WHERE serial = ?").param(early.serial())
                .query(UUID.class).single()).isEqualTo(old.id());

        // Replicas staging at once make one CA: the others are told it is already staged.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<NodeCa.Authority>> attempts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attempts.add(pool.submit(() -> inTx.execute(s -> rotating.stage())));
        }
        List<NodeCa.Authority> staged = new ArrayList<>();
        for (Future<NodeCa.Authority> attempt : attempts) {
            try {
                staged.add(attempt.get());
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(DomainException.class).hasMessageContaining("already staged");
            }
        }
        pool.shutdown();
        assertThat(staged).hasSize(1);
        NodeCa.Authority next = staged.get(0);
        assertThat(rotating.count()).isEqualTo(2);
        assertThat(certificates(rotating.trustBundle())).extracting(NodeCa::fingerprint)
                .containsExactly(old.fingerprint(), next.fingerprint());
        assertThat(certificates(rotating.trustBundle()).get(1).getSubjectX500Principal())
                .isNotEqualTo(certificates(rotating.trustBundle()).get(0).getSubjectX500Principal());

        assertThatThrownBy(() -> inTx.execute(s -> rotating.promote(next.id(), false)))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.details())
                        .containsEntry("certificate_count", 1L).containsEntry("node_count", 1L));
        NodeCa.Issued renewed = inTx.execute(s -> rotating.issue(node, NodeCa.parseRequest(NodeKeys.request().csrPem())));
        assertThat(certificates(renewed.caBundlePem())).hasSize(2);
        db.sql("UPDATE node_certificates SET revoked_at = now() WHERE serial = ?").param(early.serial()).update();
        NodeCa.Step promoted = inTx.execute(s -> rotating.promote(next.id(), false));
        assertThat(promoted.authority().state()).isEqualTo(NodeCa.State.ISSUING);
        assertThat(promoted.authority().promotedAt()).isNotNull();
        assertThat(rotating.find(old.id()).orElseThrow().state()).isEqualTo(NodeCa.State.TRUSTED);
        NodeCa.Issued fresh = inTx.execute(s -> rotating.issue(node, NodeCa.parseRequest(NodeKeys.request().csrPem())));
        certificates(fresh.certificatePem()).get(0).verify(certificates(next.certificatePem()).get(0).getPublicKey());
        assertThat(db.sql("SELECT ca_id FROM node_certificates WHERE serial = ?").param(fresh.serial())
                .query(UUID.class).single()).isEqualTo(next.id());

        assertThatThrownBy(() -> inTx.execute(s -> rotating.retire(next.id(), true)))
                .hasMessageContaining("is the issuing one");
        assertThatThrownBy(() -> inTx.execute(s -> rotating.retire(old.id(), false)))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
                    assertThat(e.details()).containsEntry("certificate_count", 1L);
                });
        db.sql("UPDATE node_certificates SET not_after = now() - interval '1 second' WHERE serial = ?")
                .param(renewed.serial()).update();
        NodeCa.Step retired = inTx.execute(s -> rotating.retire(old.id(), false));
        assertThat(retired.authority().state()).isEqualTo(NodeCa.State.RETIRED);
        assertThat(retired.overridden().none()).isTrue();
        assertThat(rotating.trusted()).extracting(NodeCa.Trusted::id).containsExactly(next.id());
        assertThatThrownBy(() -> inTx.execute(s -> rotating.promote(old.id(), true))).hasMessageContaining("retired");
        assertThatThrownBy(() -> inTx.execute(s -> rotating.retire(UUID.randomUUID(), true)))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.NOT_FOUND));
    }
}

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
}

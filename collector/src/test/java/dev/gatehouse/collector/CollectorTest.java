package dev.gatehouse.collector;

import dev.gatehouse.testkit.GatehouseTestProperties;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestPostgres;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the collector's integration tests: one running collector per test JVM on real PostgreSQL
 * (a migrated database of its own) and Redis (a namespace of its own), with a data key and its node
 * session endpoint on a free port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class CollectorTest {

    protected static final int GRPC_PORT = Ports.free();
    protected static final String REDIS_NAMESPACE = "gh-collector-" + UUID.randomUUID();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        GatehouseTestProperties.register(registry, TestPostgres.instance().shared("collector", true));
        registry.add("gatehouse.domain.redis-namespace", () -> REDIS_NAMESPACE);
        registry.add("gatehouse.domain.data-key", () -> "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        registry.add("gatehouse.collector.grpc-port", () -> GRPC_PORT);
        registry.add("gatehouse.collector.address", () -> "127.0.0.1:" + GRPC_PORT);
        // Tests call the revision check themselves; a timer firing mid-test would race their assertions.
        registry.add("gatehouse.collector.revision-check-interval", () -> "1h");
        // Small parts, so that a node with a few credentials shows how a large snapshot is split.
        registry.add("gatehouse.collector.snapshot-part-credentials", () -> "2");
    }

    /**
     * The certificate the node session endpoint presents to a new TLS 1.3 handshake of a client
     * holding {@code key} and {@code certificatePem} and trusting {@code bundlePem}.
     */
    protected static java.security.cert.X509Certificate presentedCertificate(java.security.PrivateKey key,
            String certificatePem, String bundlePem) throws Exception {
        var store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("node", key, new char[0],
                dev.gatehouse.proto.session.SessionChannels.certificates(certificatePem));
        var keys = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        var trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        java.security.cert.X509Certificate[] bundle = dev.gatehouse.proto.session.SessionChannels.certificates(bundlePem);
        for (int i = 0; i < bundle.length; i++) {
            trusted.setCertificateEntry("ca" + i, bundle[i]);
        }
        var trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        var context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        try (var socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", GRPC_PORT)) {
            var parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}

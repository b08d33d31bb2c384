package dev.gatehouse.collector.session;

import dev.gatehouse.domain.identity.NodeCa;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The node sessions' gRPC endpoint: mutual TLS 1.3 only, client certificates checked against the
 * CA bundle (every CA trusted now), the server's own certificate issued at start by the issuing CA
 * for the names agents use (the configured address's host, localhost, 127.0.0.1) with a key that
 * never leaves memory, and renewed (new key, new certificate) once two thirds of its validity have
 * passed, without a restart: new handshakes get the new one. The trusted CAs are checked on every
 * revision check; when they change (a CA rotation step) new handshakes are checked against the new
 * set, the server certificate is renewed if another CA issues now, and sessions on a certificate of a
 * retired CA end. Sessions are told to reconnect elsewhere when it stops.
 */
public class CollectorServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CollectorServer.class);
    private static final Duration SERVER_CERTIFICATE_VALIDITY = Duration.ofDays(30);
    private static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private final NodeCa ca;
    private final NodeSessions sessions;
    private final NodeIdentity identity;
    private final int port;
    private final String host;
    private final String bindAddress;
    private final Duration revisionCheck;
    private final AdvancedTlsX509KeyManager serverIdentity = new AdvancedTlsX509KeyManager();
    private final RefusedMessages refused;
    private Server server;
    private java.util.concurrent.ScheduledExecutorService checks;
    private volatile BigInteger serverSerial;
    /** The CA that was issuing when the server certificate was last renewed. */
    private volatile UUID serverIssuer;
    private AdvancedTlsX509TrustManager trust;
    /** The trusted CAs handshakes are checked against now; compared with the database on each check. */
    private List<NodeCa.Trusted> trusted = List.of();

    public CollectorServer(NodeCa ca, NodeSessions sessions, NodeIdentity identity, int port, String address,
                           String bindAddress, Duration revisionCheck, RefusedMessages refused) {
        this.ca = ca;
        this.refused = refused;
        this.bindAddress = bindAddress;
        this.revisionCheck = revisionCheck;
        this.sessions = sessions;
        this.identity = identity;
        this.port = port;
        int colon = address.lastIndexOf(':');
        String h = colon > 0 ? address.substring(0, colon) : address;
        this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    @Override
    public synchronized void start() {
        if (!ca.available()) {
            log.warn("no data key (GATEHOUSE_DATA_KEY): the node session endpoint is not started;"
                    + " no node can connect");
            return;
        }
        try {
            renewServerCertificate();
            // Client certificates are checked against the chain only (a client has no host name to match).
            trust = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
            // Built before the trust manager holds any CA, so the handshake names no acceptable CAs: the
            // OpenSSL context would freeze the names it sees now, and an agent's key manager withholds a
            // certificate whose CA is not named, which would shut out nodes of a CA staged later.
            SslContext tls = GrpcSslContexts.configure(io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder
                            .forServer(serverIdentity))
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3")
                    .build();
            trusted = List.of();
            refreshTrust();
            server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress(bindAddress, port))
                    .sslContext(tls)
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    // A peer that vanished (power cut, cable) is found by pings, not by waiting on TCP.
                    .keepAliveTime(30, TimeUnit.SECONDS)
                    .keepAliveTimeout(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addStreamTracerFactory(refused)
                    .addService(ServerInterceptors.intercept(sessions, identity))
                    .build()
                    .start();
            checks = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "node-revision-check");
                t.setDaemon(true);
                return t;
            });
            checks.scheduleWithFixedDelay(sessions::checkRevisions, revisionCheck.toMillis(), revisionCheck.toMillis(),
                    TimeUnit.MILLISECONDS);
            checks.scheduleWithFixedDelay(this::refreshTrustQuietly, revisionCheck.toMillis(),
                    revisionCheck.toMillis(), TimeUnit.MILLISECONDS);
            long renewEvery = SERVER_CERTIFICATE_VALIDITY.toMinutes() * 2 / 3;
            checks.scheduleWithFixedDelay(this::renewQuietly, renewEvery, renewEvery, TimeUnit.MINUTES);
            log.info("node sessions on {}:{} (mTLS, server names {})", bindAddress, server.getPort(), names());
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the node session endpoint on port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads the trusted CAs (ids and fingerprints, a cheap query) and acts only when they changed
     * since the last time: handshakes from now on are checked against the new set, the server
     * certificate is renewed when another CA issues, and sessions on a certificate of a CA no longer
     * trusted end. Runs on every revision check; tests call it to apply a rotation step at once.
     * Returns whether anything changed.
     */
    public synchronized boolean refreshTrust() throws GeneralSecurityException, IOException {
        if (trust == null) {
            return false;
        }
        List<NodeCa.Trusted> now = ca.trusted();
        boolean changed = false;
        if (!now.equals(trusted)) {
            trust.updateTrustCredentials(certificates(ca.trustBundle()));
            Set<UUID> gone = new HashSet<>(trusted.stream().map(NodeCa.Trusted::id).toList());
            now.forEach(c -> gone.remove(c.id()));
            trusted = now;
            sessions.endCertificatesOf(gone);
            changed = true;
        }
        if (!Objects.equals(issuing(now), serverIssuer)) {
            renewServerCertificate();
            changed = true;
        }
        if (changed) {
            log.info("node session endpoint trusts CAs {} (issuing {}), server certificate serial {}",
                    now.stream().map(c -> c.fingerprint().substring(0, 16)).toList(), issuing(now),
                    serverSerial.toString(16));
        }
        return changed;
    }

    private static UUID issuing(List<NodeCa.Trusted> cas) {
        return cas.stream().filter(NodeCa.Trusted::issuing).map(NodeCa.Trusted::id).findFirst().orElse(null);
    }

    private void refreshTrustQuietly() {
        try {
            refreshTrust();
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            // The CAs trusted so far stay in force; the next check tries again.
            log.warn("could not reload the trusted node CAs: {}", e.getMessage());
        }
    }

    /**
     * Issues the server a new key and certificate from the CA and serves them to every handshake from
     * now on; sessions already open keep theirs. Returns the CA bundle the certificate chains to.
     */
    public String renewServerCertificate() throws java.security.GeneralSecurityException {
        // Read before issuing: should another CA be promoted in between, the next check renews again.
        UUID issuer = issuing(ca.trusted());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        NodeCa.Issued certificate = ca.issueServer(keys.getPublic(), names(), SERVER_CERTIFICATE_VALIDITY);
        java.security.cert.X509Certificate[] chain = certificates(certificate.certificatePem());
        serverIdentity.updateIdentityCredentials(chain, keys.getPrivate());
        serverSerial = chain[0].getSerialNumber();
        serverIssuer = issuer;
        return certificate.caBundlePem();
    }

    /** The serial of the certificate new handshakes get. */
    public BigInteger serverSerial() {
        return serverSerial;
    }

    private void renewQuietly() {
        try {
            renewServerCertificate();
            log.info("renewed the node session endpoint's certificate (serial {})", serverSerial.toString(16));
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            // The current certificate still has a third of its validity: the next round tries again.
            log.warn("could not renew the node session endpoint's certificate: {}", e.getMessage());
        }
    }

    private List<String> names() {
        return List.copyOf(new LinkedHashSet<>(List.of(host, "localhost", "127.0.0.1")));
    }

    private static java.security.cert.X509Certificate[] certificates(String pem) throws java.security.cert.CertificateException {
        return java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(c -> (java.security.cert.X509Certificate) c).toArray(java.security.cert.X509Certificate[]::new);
    }

    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        checks.shutdownNow();
        sessions.shutdown();
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        server = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The bound port (the configured one, or the one chosen for port 0). */
    public synchronized int port() {
        return server == null ? -1 : server.getPort();
    }
}

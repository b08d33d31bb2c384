package dev.gatehouse.proto.session;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * The channel a node agent holds its session on: mutual TLS with the node's key and certificate,
 * trusting only the CA bundle it got when it enrolled (never the system's trust store).
 */
public final class SessionChannels {

    private SessionChannels() {
    }

    public static ManagedChannel mtls(String host, int port, PrivateKey key, String certificatePem,
                                      String caBundlePem) {
        try {
            return NettyChannelBuilder.forAddress(host, port)
                    .sslContext(GrpcSslContexts.forClient()
                            .keyManager(key, certificates(certificatePem))
                            .trustManager(certificates(caBundlePem))
                            .build())
                    .build();
        } catch (SSLException | CertificateException e) {
            throw new IllegalArgumentException("cannot set up TLS with this key and certificate: " + e.getMessage(), e);
        }
    }

    /** Every certificate of a PEM text, in order. */
    public static X509Certificate[] certificates(String pem) throws CertificateException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    }
}

package dev.gatehouse.nodeagent.state;

import dev.gatehouse.proto.session.SessionChannels;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.UUID;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Who this node is, as kept in its state folder after enrolment: {@code node.key} (PKCS#8 PEM, mode
 * 0600), {@code node.crt} (its client certificate), {@code ca.pem} (the CA bundle it trusts for the
 * collector, never the system's store) and {@code collector} (host:port of the session endpoint).
 */
public record NodeIdentity(UUID nodeId, PrivateKey key, String certificatePem, String caBundlePem,
                           String collectorAddress) {

    public static final String KEY = "node.key";
    public static final String CERTIFICATE = "node.crt";
    public static final String CA_BUNDLE = "ca.pem";
    public static final String COLLECTOR = "collector";

    public static boolean present(Path state) {
        return Files.isRegularFile(state.resolve(KEY)) && Files.isRegularFile(state.resolve(CERTIFICATE));
    }

    /** Reads the identity; a missing or unreadable file is one readable line. */
    public static NodeIdentity load(Path state) throws IOException {
        if (!present(state)) {
            throw new IOException("this node is not enrolled: no " + state.resolve(KEY) + " (run: enroll --api URL"
                    + " --token ghe_...)");
        }
        String certificate = Files.readString(state.resolve(CERTIFICATE));
        X509Certificate parsed;
        try {
            parsed = SessionChannels.certificates(certificate)[0];
        } catch (CertificateException | ArrayIndexOutOfBoundsException e) {
            throw new IOException(state.resolve(CERTIFICATE) + " holds no certificate");
        }
        UUID node = nodeOf(parsed);
        return new NodeIdentity(node, matchingKey(state, parsed), certificate,
                Files.readString(state.resolve(CA_BUNDLE)), Files.readString(state.resolve(COLLECTOR)).trim());
    }

    /**
     * Stores an identity so that a crash at any point leaves a key and certificate that belong
     * together: the new key goes beside the old one ({@code node.key.next}, 0600), then the CA bundle,
     * the address and the certificate, and only then does the new key replace the old. {@link #load}
     * takes whichever of the two keys the stored certificate certifies.
     */
    public static void store(Path state, PrivateKey key, String certificatePem, String caBundlePem,
                             String collectorAddress) throws IOException {
        Path next = state.resolve(KEY + ".next");
        StateFiles.write(next, pem(key), true);
        StateFiles.write(state.resolve(CA_BUNDLE), caBundlePem, false);
        StateFiles.write(state.resolve(COLLECTOR), collectorAddress + "\n", false);
        StateFiles.write(state.resolve(CERTIFICATE), certificatePem, false);
        java.nio.file.Files.move(next, state.resolve(KEY), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        StateFiles.syncFolder(state);
    }

    /** Whether the PEM certificate certifies this public key. */
    public static boolean certifies(String certificatePem, java.security.PublicKey key) {
        try {
            return SessionChannels.certificates(certificatePem)[0].getPublicKey().equals(key);
        } catch (CertificateException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    public X509Certificate certificate() {
        try {
            return SessionChannels.certificates(certificatePem)[0];
        } catch (CertificateException e) {
            throw new IllegalStateException("the stored certificate was checked when loaded", e);
        }
    }

    public Instant expiresAt() {
        return certificate().getNotAfter().toInstant();
    }

    /** The node named by the certificate's one URI SAN, spiffe://gatehouse/node/{id}. */
    static UUID nodeOf(X509Certificate certificate) throws IOException {
        try {
            var names = certificate.getSubjectAlternativeNames();
            if (names != null && names.size() == 1 && names.iterator().next().get(1) instanceof String uri
                    && uri.startsWith("spiffe://gatehouse/node/")) {
                return UUID.fromString(uri.substring("spiffe://gatehouse/node/".length()));
            }
        } catch (java.security.cert.CertificateParsingException | IllegalArgumentException e) {
            // falls through to the refusal below
        }
        throw new IOException("the certificate does not name a Gatehouse node");
    }

    /** The stored key the certificate certifies: {@code node.key}, or a renewal's {@code node.key.next}. */
    private static PrivateKey matchingKey(Path state, X509Certificate certificate) throws IOException {
        Path next = state.resolve(KEY + ".next");
        if (Files.isRegularFile(next)) {
            PrivateKey candidate = readKey(next);
            if (signs(candidate, certificate)) {
                Files.move(next, state.resolve(KEY), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return candidate;
            }
            Files.delete(next);
        }
        return readKey(state.resolve(KEY));
    }

    /** Whether a signature by the private key verifies with the certificate's public key. */
    private static boolean signs(PrivateKey key, X509Certificate certificate) {
        try {
            String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            byte[] probe = "gatehouse".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file)))) {
            Object object = parser.readObject();
            if (object instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            throw new IOException(file + " holds no PKCS#8 private key");
        }
    }

    static String pem(Object object) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof PrivateKey key) {
                // PKCS#8 ("PRIVATE KEY"), whatever the key's algorithm, not BouncyCastle's per-algorithm forms.
                writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(object);
            }
        }
        return out.toString();
    }

    /** A PEM text of any object BouncyCastle writes (a certificate request, a certificate). */
    public static String pemOf(Object object) throws IOException {
        return pem(object);
    }
}

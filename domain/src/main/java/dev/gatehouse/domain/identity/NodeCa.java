package dev.gatehouse.domain.identity;

import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.domain.support.DomainException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The internal CA of node identities (BouncyCastle): it is made on first use, its private key kept
 * in {@code node_cas} sealed with the data key, and it signs short-lived client certificates whose
 * only subject alternative name is the node's URI ({@code spiffe://gatehouse/node/<id>}). Nothing a
 * certificate request asks for is copied: a request for a CA certificate or for names of its own is
 * refused, the key usages are fixed. Every certificate's serial and fingerprint are recorded, so the
 * collector can refuse a revoked one at the handshake.
 */
public class NodeCa {

    /** The URI prefix of node identities; the node id follows. */
    public static final String NODE_URI_PREFIX = "spiffe://gatehouse/node/";

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate request whose signature and contents were checked; its public key is what gets certified. */
    public record CertificateRequest(PublicKey publicKey) {
    }

    /** A node certificate as issued: PEM of the certificate and of every trusted CA. */
    public record Issued(UUID nodeId, String certificatePem, String caBundlePem, String serial, String fingerprint,
                         Instant notAfter) {
    }

    private record Authority(UUID id, X509Certificate certificate, PrivateKey key) {
    }

    private final JdbcClient jdbc;
    private final DataKey dataKey;
    private final Clock clock;
    private final Duration validity;

    public NodeCa(JdbcClient jdbc, DataKey dataKey, Clock clock, Duration validity) {
        this.jdbc = jdbc;
        this.dataKey = dataKey;
        this.clock = clock;
        this.validity = validity;
    }

    /** The URI naming a node in its certificate. */
    public static String nodeUri(UUID nodeId) {
        return NODE_URI_PREFIX + nodeId;
    }

    /** Whether the CA can work here: it needs the data key to seal or open its private key. */
    public boolean available() {
        return dataKey.present();
    }

    /** SHA-256 of the issuing CA's certificate (lower-case hex), for agents to pin; made on first use. */
    @Transactional
    public String fingerprint() {
        return fingerprint(issuing().certificate());
    }

    /** The issuing CA's fingerprint if there is one, without making it. */
    public Optional<String> existingFingerprint() {
        return jdbc.sql("SELECT fingerprint FROM node_cas WHERE issuing").query(String.class).optional();
    }

    /** PEM of every CA certificate that is trusted now (the issuing one first). */
    public String trustBundle() {
        return String.join("", jdbc.sql("""
                        SELECT certificate FROM node_cas WHERE retired_at IS NULL ORDER BY issuing DESC, created_at""")
                .query(String.class).list());
    }

    /**
     * Reads a PEM PKCS#10 request and checks what is certified: its signature holds, the key is
     * EC P-256/P-384, Ed25519 or RSA of 2048 bits or more, and it asks neither to be a CA nor for
     * names; DomainException (INVALID) saying which otherwise.
     */
    public static CertificateRequest parseRequest(String pem) {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            Object object = parser.readObject();
            if (!(object instanceof PKCS10CertificationRequest request)) {
                throw invalid("csr: is not a PEM certificate request (BEGIN CERTIFICATE REQUEST)");
            }
            csr = request;
        } catch (IOException | RuntimeException e) {
            if (e instanceof DomainException d) {
                throw d;
            }
            throw invalid("csr: is not a PEM certificate request (BEGIN CERTIFICATE REQUEST)");
        }
        PublicKey key;
        try {
            JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(csr);
            key = jca.getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw invalid("csr: its signature does not match its key");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw invalid("csr: its key or signature cannot be read");
        }
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extensions requested = Extensions.getInstance(value);
                BasicConstraints constraints = BasicConstraints.fromExtensions(requested);
                if (constraints != null && constraints.isCA()) {
                    throw invalid("csr: asks for a CA certificate; a node gets a client certificate only");
                }
                if (requested.getExtension(Extension.subjectAlternativeName) != null) {
                    throw invalid("csr: asks for names; the certificate names the node itself");
                }
            }
        }
        checkKey(key);
        return new CertificateRequest(key);
    }

    private static void checkKey(PublicKey key) {
        boolean good;
        if (key instanceof ECPublicKey ec) {
            good = ec.getParams().getCurve().getField().getFieldSize() >= 256;
        } else if (key instanceof RSAPublicKey rsa) {
            good = rsa.getModulus().bitLength() >= 2048;
        } else {
            good = "Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm());
        }
        if (!good) {
            throw invalid("csr: the key must be EC P-256 or larger, Ed25519, or RSA of 2048 bits or more");
        }
    }

    /** Signs the node's client certificate and records it; the caller's transaction holds the enrolment. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Issued issue(UUID nodeId, CertificateRequest request) {
        Authority ca = issuing();
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        BigInteger serial = new BigInteger(128, RANDOM).setBit(127);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial,
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Name("CN=node " + nodeId),
                    request.publicKey())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                            new GeneralName(GeneralName.uniformResourceIdentifier, nodeUri(nodeId))))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(ca.certificate()))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(request.publicKey()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(ca.key())));
            String serialHex = serial.toString(16);
            String fingerprint = fingerprint(certificate);
            jdbc.sql("""
                            INSERT INTO node_certificates (serial, node_id, fingerprint, not_before, not_after)
                            VALUES (?, ?, ?, ?, ?)""")
                    .params(serialHex, nodeId, fingerprint, Timestamp.from(now.minus(BACKDATE)),
                            Timestamp.from(notAfter))
                    .update();
            return new Issued(nodeId, pem(certificate), trustBundle(), serialHex, fingerprint, notAfter);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign a node certificate", e);
        }
    }

    /**
     * A server certificate for the collector's gRPC endpoint, for the host names and addresses agents
     * use to reach it; agents trust nothing but the CA bundle they got when they enrolled.
     */
    @Transactional
    public Issued issueServer(PublicKey key, List<String> names, Duration serverValidity) {
        Authority ca = issuing();
        Instant now = clock.instant();
        Instant notAfter = now.plus(serverValidity);
        try {
            GeneralName[] alternatives = names.stream().map(n -> n.matches("[0-9.]+|.*:.*")
                    ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(),
                    new BigInteger(128, RANDOM).setBit(127), Date.from(now.minus(BACKDATE)), Date.from(notAfter),
                    new X500Name("CN=gatehouse collector"), key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(ca.certificate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(ca.key())));
            return new Issued(null, pem(certificate), trustBundle(), certificate.getSerialNumber().toString(16),
                    fingerprint(certificate), notAfter);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign the collector's certificate", e);
        }
    }

    /** Revokes every certificate of the node that is not revoked yet; the collector refuses them from now on. */
    public int revokeAll(UUID nodeId) {
        return jdbc.sql("UPDATE node_certificates SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL")
                .params(Timestamp.from(clock.instant()), nodeId).update();
    }

    /** The node a certificate names by its one URI, or empty when it names none or several things. */
    public static Optional<UUID> nodeOf(X509Certificate certificate) {
        try {
            var names = certificate.getSubjectAlternativeNames();
            if (names == null || names.size() != 1) {
                return Optional.empty();
            }
            List<?> only = names.iterator().next();
            if (!Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(only.get(0))
                    || !(only.get(1) instanceof String uri) || !uri.startsWith(NODE_URI_PREFIX)) {
                return Optional.empty();
            }
            return Optional.of(UUID.fromString(uri.substring(NODE_URI_PREFIX.length())));
        } catch (CertificateParsingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** SHA-256 of the DER encoding, lower-case hex. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** The issuing CA, made (once, under an advisory lock) when there is none. */
    private Authority issuing() {
        if (!dataKey.present()) {
            throw new DomainException(DomainException.Kind.NOT_CONFIGURED,
                    "node enrolment needs the data key: set GATEHOUSE_DATA_KEY (openssl rand -base64 32)");
        }
        Optional<Authority> found = load();
        if (found.isPresent()) {
            return found.get();
        }
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('gatehouse.node_ca'))").query(Object.class).optional();
        return load().orElseGet(this::create);
    }

    private Optional<Authority> load() {
        return jdbc.sql("SELECT id, certificate, private_key FROM node_cas WHERE issuing")
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    X509Certificate certificate = parseCertificate(rs.getString(2));
                    byte[] pkcs8 = dataKey.open(rs.getBytes(3), id.toString().getBytes(StandardCharsets.UTF_8))
                            .orElseThrow(() -> new DomainException(DomainException.Kind.NOT_CONFIGURED,
                                    "the data key does not open the node CA's key: GATEHOUSE_DATA_KEY is not the"
                                            + " key the CA was made with"));
                    try {
                        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                        return new Authority(id, certificate, key);
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("the node CA's stored key cannot be read", e);
                    }
                })
                .optional();
    }

    private Authority create() {
        Instant now = clock.instant();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=Gatehouse node CA " + now.getEpochSecond());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(128, RANDOM).setBit(127), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate())));
            UUID id = UUID.randomUUID();
            byte[] sealed = dataKey.seal(pair.getPrivate().getEncoded(), id.toString().getBytes(StandardCharsets.UTF_8));
            jdbc.sql("""
                            INSERT INTO node_cas (id, certificate, private_key, fingerprint, not_before, not_after,
                                                  issuing)
                            VALUES (?, ?, ?, ?, ?, ?, true)""")
                    .params(id, pem(certificate), sealed, fingerprint(certificate),
                            Timestamp.from(certificate.getNotBefore().toInstant()),
                            Timestamp.from(certificate.getNotAfter().toInstant()))
                    .update();
            return new Authority(id, certificate, pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the node CA", e);
        }
    }

    private static X509Certificate parseCertificate(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaX509CertificateConverter().getCertificate(
                    (org.bouncycastle.cert.X509CertificateHolder) parser.readObject());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("a stored CA certificate cannot be read", e);
        }
    }

    private static DomainException invalid(String message) {
        return new DomainException(DomainException.Kind.INVALID, message);
    }
}

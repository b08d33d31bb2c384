package dev.gatehouse.domain.identity;

import com.fasterxml.jackson.annotation.JsonValue;
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
import java.util.Locale;
import java.util.Map;
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
 * refused, the key usages are fixed. Every certificate's serial, fingerprint and issuing CA are
 * recorded, so the collector can refuse a revoked one at the handshake.
 *
 * <p>The CA is rotated in three steps, each refused while it would cut nodes off (unless forced):
 * {@link #stage} a new CA (trusted, in every bundle, not issuing), {@link #promote} it (it issues; the
 * old one stays trusted), {@link #retire} the old one (in no bundle). The steps take the CA's advisory
 * lock exclusively and {@link #issue} takes it shared, so a certificate is counted against the CA and
 * the bundle it was really issued with.
 */
public class NodeCa {

    /** The URI prefix of node identities; the node id follows. */
    public static final String NODE_URI_PREFIX = "spiffe://gatehouse/node/";

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('gatehouse.node_ca'))";
    private static final String SHARED_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtext('gatehouse.node_ca'))";
    private static final String AUTHORITY_COLUMNS =
            "id, fingerprint, not_before, not_after, issuing, promoted_at, retired_at, created_at, certificate";

    /** A certificate request whose signature and contents were checked; its public key is what gets certified. */
    public record CertificateRequest(PublicKey publicKey) {
    }

    /** A node certificate as issued: PEM of the certificate and of every trusted CA. */
    public record Issued(UUID nodeId, String certificatePem, String caBundlePem, String serial, String fingerprint,
                         Instant notAfter) {
    }

    /** Where a CA stands in a rotation. */
    public enum State {
        /** Trusted and in every bundle, never issued yet: nodes learn it on their next renewal. */
        STAGED,
        /** Signs node certificates and the collector's server certificate; trusted. */
        ISSUING,
        /** Issued before and still trusted, so what it issued keeps working. */
        TRUSTED,
        /** In no bundle; what it issued is refused at the handshake. */
        RETIRED;

        /** How the API and the docs name it: lower case. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One CA of the installation as an operator sees it (never its key). */
    public record Authority(UUID id, String fingerprint, Instant notBefore, Instant notAfter, boolean issuing,
                            State state, Instant promotedAt, Instant retiredAt, Instant createdAt,
                            String certificatePem) {
    }

    /**
     * Unexpired, unrevoked node certificates a rotation step is about: how many, of how many nodes,
     * and when the last of them expires (null when there are none).
     */
    public record Outstanding(long certificates, long nodes, Instant lastExpiry) {

        static final Outstanding NONE = new Outstanding(0, 0, null);

        public boolean none() {
            return certificates == 0;
        }
    }

    /** A promotion or retirement done: the CA afterwards, and what {@code force} overrode (none when not forced). */
    public record Step(Authority authority, Outstanding overridden) {
    }

    /** A CA trusted now, as the collector compares it between checks. */
    public record Trusted(UUID id, String fingerprint, boolean issuing) {
    }

    private record Signer(UUID id, X509Certificate certificate, PrivateKey key) {
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
        // The first CA is made under the exclusive lock before the shared one is held: two first
        // issues each holding it shared and waiting for it exclusively would deadlock.
        if (existingFingerprint().isEmpty()) {
            issuing();
        }
        // Shared against the rotation steps: the CA and the bundle read below are the ones this
        // certificate is counted against later, even when a step runs at the same moment.
        jdbc.sql(SHARED_LOCK).query(Object.class).optional();
        Signer ca = issuing();
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
                            INSERT INTO node_certificates (serial, node_id, fingerprint, not_before, not_after,
                                                           ca_id)
                            VALUES (?, ?, ?, ?, ?, ?)""")
                    .params(serialHex, nodeId, fingerprint, Timestamp.from(now.minus(BACKDATE)),
                            Timestamp.from(notAfter), ca.id())
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
        Signer ca = issuing();
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

    /** The CAs of the installation, newest first, a page at a time. */
    public List<Authority> list(int limit, int offset) {
        return jdbc.sql("SELECT " + AUTHORITY_COLUMNS + " FROM node_cas ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(limit, offset).query(NodeCa::authority).list();
    }

    /** How many CAs the installation has had, retired ones included. */
    public long count() {
        return jdbc.sql("SELECT count(*) FROM node_cas").query(Long.class).single();
    }

    /** One CA, if it exists. */
    public Optional<Authority> find(UUID id) {
        return jdbc.sql("SELECT " + AUTHORITY_COLUMNS + " FROM node_cas WHERE id = ?").param(id)
                .query(NodeCa::authority).optional();
    }

    /** The CAs trusted now, by id: the collector's cheap check for a change. */
    public List<Trusted> trusted() {
        return jdbc.sql("SELECT id, fingerprint, issuing FROM node_cas WHERE retired_at IS NULL ORDER BY id")
                .query((rs, n) -> new Trusted(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3)))
                .list();
    }

    /**
     * Step 1 of a rotation: makes a new CA that every trust bundle carries from now on but that issues
     * nothing yet, so nodes learn it with their next certificate. One at a time: refused (CONFLICT)
     * while another is staged, and while there is no CA to rotate.
     */
    @Transactional
    public Authority stage() {
        requireDataKey();
        jdbc.sql(LOCK).query(Object.class).optional();
        if (existingFingerprint().isEmpty()) {
            throw conflict("there is no node CA to rotate yet: it is made with the first node", Map.of());
        }
        Optional<UUID> staged = jdbc.sql("""
                        SELECT id FROM node_cas WHERE NOT issuing AND promoted_at IS NULL AND retired_at IS NULL""")
                .query(UUID.class).optional();
        if (staged.isPresent()) {
            throw conflict("CA " + staged.get() + " is already staged: promote it, or retire it to stage another",
                    Map.of("ca_id", staged.get().toString()));
        }
        return find(create(false).id()).orElseThrow();
    }

    /**
     * Step 2: the CA becomes the issuing one (new node certificates and the collector's server
     * certificate come from it); the one issuing until now stays trusted. Refused (CONFLICT, with the
     * counts) while unexpired, unrevoked node certificates issued before the CA was staged remain:
     * their nodes got a bundle without it and would not trust the collector's next certificate.
     * {@code force} promotes anyway.
     */
    @Transactional
    public Step promote(UUID id, boolean force) {
        requireDataKey();
        jdbc.sql(LOCK).query(Object.class).optional();
        Authority ca = find(id).orElseThrow(() -> notFound(id));
        if (ca.state() == State.RETIRED) {
            throw conflict("CA " + id + " is retired; stage a new one", Map.of());
        }
        if (ca.state() == State.ISSUING) {
            throw conflict("CA " + id + " is already the issuing one", Map.of());
        }
        signer("id = ?", id).orElseThrow(); // its key opens with this data key, or NOT_CONFIGURED
        Outstanding before = outstanding("created_at < ?", Timestamp.from(ca.createdAt()));
        if (!before.none() && !force) {
            throw conflict(before.certificates() + " unexpired, unrevoked node certificates of " + before.nodes()
                    + " nodes were issued before CA " + id + " was staged: those nodes may not trust it yet, and"
                    + " the collector's certificate would come from it. Promote once they have expired or been"
                    + " revoked (the last expires at " + before.lastExpiry() + "), or pass force=true",
                    details(before));
        }
        jdbc.sql("UPDATE node_cas SET issuing = false WHERE issuing").update();
        jdbc.sql("UPDATE node_cas SET issuing = true, promoted_at = ? WHERE id = ?")
                .params(Timestamp.from(clock.instant()), id).update();
        return new Step(find(id).orElseThrow(), force ? before : Outstanding.NONE);
    }

    /**
     * Step 3: the CA leaves every bundle and what it issued is refused at the handshake. The issuing
     * CA is never retired; any other is refused (CONFLICT, with the counts) while unexpired, unrevoked
     * node certificates it issued remain, unless {@code force}. Retiring a staged CA withdraws it.
     */
    @Transactional
    public Step retire(UUID id, boolean force) {
        jdbc.sql(LOCK).query(Object.class).optional();
        Authority ca = find(id).orElseThrow(() -> notFound(id));
        if (ca.state() == State.RETIRED) {
            throw conflict("CA " + id + " is already retired", Map.of());
        }
        if (ca.state() == State.ISSUING) {
            throw conflict("CA " + id + " is the issuing one: promote another first", Map.of());
        }
        Outstanding issued = outstanding("ca_id = ?", id);
        if (!issued.none() && !force) {
            throw conflict(issued.certificates() + " unexpired, unrevoked node certificates of " + issued.nodes()
                    + " nodes were issued by CA " + id + ": retiring it refuses them. Retire once they have"
                    + " expired or been revoked (the last expires at " + issued.lastExpiry() + "), or pass"
                    + " force=true", details(issued));
        }
        jdbc.sql("UPDATE node_cas SET retired_at = ? WHERE id = ?").params(Timestamp.from(clock.instant()), id)
                .update();
        return new Step(find(id).orElseThrow(), force ? issued : Outstanding.NONE);
    }

    private Outstanding outstanding(String condition, Object parameter) {
        return jdbc.sql("SELECT count(*), count(DISTINCT node_id), max(not_after) FROM node_certificates"
                        + " WHERE revoked_at IS NULL AND not_after > ? AND " + condition)
                .params(Timestamp.from(clock.instant()), parameter)
                .query((rs, n) -> new Outstanding(rs.getLong(1), rs.getLong(2), instant(rs.getTimestamp(3))))
                .single();
    }

    private static Map<String, Object> details(Outstanding outstanding) {
        return Map.of("certificate_count", outstanding.certificates(), "node_count", outstanding.nodes(),
                "last_expiry", outstanding.lastExpiry().toString());
    }

    private static Authority authority(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        boolean issuing = rs.getBoolean("issuing");
        Instant promoted = instant(rs.getTimestamp("promoted_at"));
        Instant retired = instant(rs.getTimestamp("retired_at"));
        State state = retired != null ? State.RETIRED : issuing ? State.ISSUING
                : promoted == null ? State.STAGED : State.TRUSTED;
        return new Authority(rs.getObject("id", UUID.class), rs.getString("fingerprint"),
                instant(rs.getTimestamp("not_before")), instant(rs.getTimestamp("not_after")), issuing, state,
                promoted, retired, instant(rs.getTimestamp("created_at")), rs.getString("certificate"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
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

    /** The issuing CA, made (once, under the advisory lock) when there is none. */
    private Signer issuing() {
        requireDataKey();
        Optional<Signer> found = signer("issuing");
        if (found.isPresent()) {
            return found.get();
        }
        jdbc.sql(LOCK).query(Object.class).optional();
        return signer("issuing").orElseGet(() -> create(true));
    }

    private void requireDataKey() {
        if (!dataKey.present()) {
            throw new DomainException(DomainException.Kind.NOT_CONFIGURED,
                    "node enrolment needs the data key: set GATEHOUSE_DATA_KEY (openssl rand -base64 32)");
        }
    }

    private Optional<Signer> signer(String condition, Object... parameters) {
        return jdbc.sql("SELECT id, certificate, private_key FROM node_cas WHERE " + condition)
                .params(parameters)
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    X509Certificate certificate = parseCertificate(rs.getString(2));
                    byte[] pkcs8 = dataKey.open(rs.getBytes(3), id.toString().getBytes(StandardCharsets.UTF_8))
                            .orElseThrow(() -> new DomainException(DomainException.Kind.NOT_CONFIGURED,
                                    "the data key does not open the node CA's key: GATEHOUSE_DATA_KEY is not the"
                                            + " key the CA was made with"));
                    try {
                        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                        return new Signer(id, certificate, key);
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("the node CA's stored key cannot be read", e);
                    }
                })
                .optional();
    }

    /**
     * A new CA, the first (issuing) or a staged one; the caller holds the exclusive lock. Its
     * created_at is read after the lock is held, so a certificate issued before it is older.
     */
    private Signer create(boolean issuing) {
        Instant now = clock.instant();
        UUID id = UUID.randomUUID();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = generator.generateKeyPair();
            // Unique even for two CAs made in one second: certificates are matched to their CA by name.
            X500Name name = new X500Name("CN=Gatehouse node CA " + now.getEpochSecond() + " "
                    + id.toString().substring(0, 8));
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
            byte[] sealed = dataKey.seal(pair.getPrivate().getEncoded(), id.toString().getBytes(StandardCharsets.UTF_8));
            jdbc.sql("""
                            INSERT INTO node_cas (id, certificate, private_key, fingerprint, not_before, not_after,
                                                  issuing, promoted_at, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN clock_timestamp() END, clock_timestamp())""")
                    .params(id, pem(certificate), sealed, fingerprint(certificate),
                            Timestamp.from(certificate.getNotBefore().toInstant()),
                            Timestamp.from(certificate.getNotAfter().toInstant()), issuing, issuing)
                    .update();
            return new Signer(id, certificate, pair.getPrivate());
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

    private static DomainException notFound(UUID id) {
        return new DomainException(DomainException.Kind.NOT_FOUND, "CA " + id + " not found");
    }

    private static DomainException conflict(String message, Map<String, Object> details) {
        return new DomainException(DomainException.Kind.CONFLICT, message, details);
    }

    private static DomainException invalid(String message) {
        return new DomainException(DomainException.Kind.INVALID, message);
    }
}

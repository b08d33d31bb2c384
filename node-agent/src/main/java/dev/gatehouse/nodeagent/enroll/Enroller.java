package dev.gatehouse.nodeagent.enroll;

import dev.gatehouse.nodeagent.state.NodeIdentity;
import dev.gatehouse.proto.session.SessionChannels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enrols this server as a node: makes its key pair here (the private key never leaves the state
 * folder), sends a certificate request with the one-time token to control-api's
 * {@code POST /nodes/enroll}, checks the CA it got against the fingerprint the operator pinned, and
 * stores key, certificate, CA bundle and the collector's address.
 */
public final class Enroller {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** What enrolment stored. */
    public record Enrolled(java.util.UUID nodeId, String collectorAddress, java.time.Instant expiresAt) {
    }

    /**
     * @param api       control-api's base URL, e.g. https://panel.example.net
     * @param token     the node's enrollment token (ghe_...)
     * @param caSha256  the CA fingerprint to pin (hex SHA-256 of its DER), or null to trust the answer
     * @param state     the agent's state folder
     */
    public Enrolled enroll(URI api, String token, String caSha256, Path state) throws EnrollmentException {
        if (token == null || !token.startsWith("ghe_")) {
            throw new EnrollmentException("the token must be a node enrollment token (ghe_...)");
        }
        KeyPair keys = keyPair();
        String csr = request(keys);
        String body = JSON.createObjectNode().put("token", token).put("csr", csr).toString();
        HttpRequest request = HttpRequest.newBuilder(api.resolve(api.getPath().endsWith("/") ? "nodes/enroll"
                        : api.getPath() + "/nodes/enroll"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new EnrollmentException("cannot reach " + api + ": connection refused");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new EnrollmentException("cannot reach " + api + ": no answer in time");
        } catch (IOException e) {
            throw new EnrollmentException("cannot reach " + api + ": "
                    + (e.getMessage() == null ? "the connection failed" : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnrollmentException("interrupted");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new EnrollmentException(api + " answered " + response.statusCode() + " with no JSON body");
        }
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            String detail = answer.path("detail").asString(answer.path("title").asString("no detail"));
            throw new EnrollmentException("enrolment refused (" + response.statusCode() + "): " + detail);
        }
        String certificate = answer.path("certificate").asString("");
        String caBundle = answer.path("ca_bundle").asString("");
        String collector = answer.path("collector_address").asString("");
        try {
            X509Certificate[] bundle = SessionChannels.certificates(caBundle);
            X509Certificate issued = SessionChannels.certificates(certificate)[0];
            if (caSha256 != null && !caSha256.isBlank()) {
                String pinned = caSha256.replace(":", "").toLowerCase(Locale.ROOT);
                boolean match = false;
                for (X509Certificate ca : bundle) {
                    match |= HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()))
                            .equals(pinned);
                }
                if (!match) {
                    throw new EnrollmentException("the CA in the answer does not match --ca-sha256 " + caSha256
                            + "; nothing was stored");
                }
            }
            if (!issued.getPublicKey().equals(keys.getPublic())) {
                throw new EnrollmentException("the certificate in the answer is not for this node's key");
            }
            NodeIdentity.store(state, keys.getPrivate(), certificate, caBundle, collector);
            NodeIdentity stored = NodeIdentity.load(state);
            return new Enrolled(stored.nodeId(), collector, stored.expiresAt());
        } catch (GeneralSecurityException | ArrayIndexOutOfBoundsException e) {
            throw new EnrollmentException("the answer holds no usable certificate: " + e.getMessage());
        } catch (IOException e) {
            throw new EnrollmentException("cannot store the identity under " + state + ": " + e.getMessage());
        }
    }

    /** A fresh EC P-256 key pair, the node's identity. */
    public static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is part of every JDK", e);
        }
    }

    /** A PEM PKCS#10 request for {@code keys}: no names, no extensions (the CA decides both). */
    public static String request(KeyPair keys) {
        try {
            var csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=gatehouse-node"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return NodeIdentity.pemOf(csr);
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign a certificate request: " + e.getMessage(), e);
        }
    }

    /** Enrolment failed; the message is one line for the operator. */
    public static final class EnrollmentException extends Exception {
        public EnrollmentException(String message) {
            super(message);
        }
    }
}

package dev.gatehouse.controlapi.enrollment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.testkit.NodeKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** An agent trades its one-time token and a CSR for its certificate, once; everything else is refused. */
class EnrollmentIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;


    private Api.Response enroll(String token, String csr) {
        return anonymous.post("/nodes/enroll", map("token", token, "csr", csr));
    }

    private static List<X509Certificate> certificates(String pem) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                .stream().map(c -> (X509Certificate) c).toList();
    }

    private long certificatesOf(String nodeId) {
        return jdbc.sql("SELECT count(*) FROM node_certificates WHERE node_id = ?::uuid").param(nodeId)
                .query(Long.class).single();
    }

    @Test
    void anAgentGetsACertificateNamingItsNodeAndTheCaItCanPin() throws Exception {
        Tenant tenant = newTenant();
        JsonNode created = newNode(tenant);
        String nodeId = created.path("node").path("id").asString();
        String caSha256 = created.path("ca_sha256").asString();
        assertThat(caSha256).matches("[0-9a-f]{64}");

        NodeKeys.Request request = NodeKeys.request();
        Api.Response enrolled = enroll(created.path("enrollment_token").asString(), request.csrPem());
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(200);
        assertThat(enrolled.text("node_id")).isEqualTo(nodeId);
        assertThat(enrolled.text("collector_address")).isEqualTo("127.0.0.1:9443");
        X509Certificate cert = certificates(enrolled.text("certificate")).get(0);
        X509Certificate ca = certificates(enrolled.text("ca_bundle")).get(0);
        cert.verify(ca.getPublicKey());
        assertThat(NodeCa.fingerprint(ca)).isEqualTo(caSha256);
        assertThat(NodeCa.nodeOf(cert)).contains(UUID.fromString(nodeId));
        assertThat(cert.getPublicKey()).isEqualTo(request.keys().getPublic());
        assertThat(cert.getSerialNumber().toString(16)).isEqualTo(enrolled.text("serial"));
        assertThat(jdbc.sql("SELECT actor_kind FROM audit_logs WHERE action = 'node.enroll' AND target_id = ?")
                .param(nodeId).query(String.class).single()).isEqualTo("node");

        Api.Response again = enroll(created.path("enrollment_token").asString(), NodeKeys.request().csrPem());
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.json().path("type").asString()).endsWith("/invalid-token");
        assertThat(certificatesOf(nodeId)).isEqualTo(1);
    }

    @Test
    void ofRacingEnrolmentsWithOneTokenExactlyOneWins() throws Exception {
        JsonNode created = newNode(newTenant());
        String token = created.path("enrollment_token").asString();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String csr = NodeKeys.request().csrPem();
            answers.add(pool.submit(() -> enroll(token, csr).status()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> answer : answers) {
            statuses.add(answer.get());
        }
        pool.shutdown();
        assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 401);
        assertThat(certificatesOf(created.path("node").path("id").asString())).isEqualTo(1);
    }

    @Test
    void aNewTokenEndsTheOldOneAndExpiredOrBadRequestsSpendNothing() {
        Tenant tenant = newTenant();
        JsonNode created = newNode(tenant);
        String nodeId = created.path("node").path("id").asString();
        String first = created.path("enrollment_token").asString();

        Api.Response caRequest = enroll(first, NodeKeys.request(NodeKeys.ecP256(), true).csrPem());
        assertThat(caRequest.status()).isEqualTo(400);
        assertThat(caRequest.text("detail")).isEqualTo("csr: asks for a CA certificate; a node gets a client"
                + " certificate only");
        Api.Response names = enroll(first, NodeKeys.request(NodeKeys.ecP256(), false, "collector.example").csrPem());
        assertThat(names.status()).isEqualTo(400);
        assertThat(enroll(first, "not a request").status()).isEqualTo(400);
        assertThat(enroll("ghe_" + "x".repeat(43), NodeKeys.request().csrPem()).status()).isEqualTo(401);

        Api.Response second = root.post("/nodes/" + nodeId + "/enrollment-token", null);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.text("ca_sha256")).isEqualTo(created.path("ca_sha256").asString());
        assertThat(enroll(first, NodeKeys.request().csrPem()).status()).as("the earlier token no longer works")
                .isEqualTo(401);

        jdbc.sql("UPDATE enrollment_tokens SET expires_at = now() - interval '1 second' WHERE node_id = ?::uuid")
                .param(nodeId).update();
        assertThat(enroll(second.text("enrollment_token"), NodeKeys.request().csrPem()).status()).isEqualTo(401);
        assertThat(certificatesOf(nodeId)).isZero();

        Member viewer = member(tenant, "viewer");
        assertThat(viewer.api().post("/nodes/" + nodeId + "/enrollment-token", null).status()).isEqualTo(403);
        assertThat(member(newTenant(), "owner").api().post("/nodes/" + nodeId + "/enrollment-token", null)
                .status()).isEqualTo(404);
    }

    @Test
    void disablingANodeRevokesItsCertificatesAndItsTokens() {
        JsonNode created = newNode(newTenant());
        String nodeId = created.path("node").path("id").asString();
        assertThat(enroll(created.path("enrollment_token").asString(), NodeKeys.request().csrPem()).status())
                .isEqualTo(200);
        String spare = root.post("/nodes/" + nodeId + "/enrollment-token", null).text("enrollment_token");

        assertThat(root.post("/nodes/" + nodeId + "/disable", null).status()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM node_certificates WHERE node_id = ?::uuid AND revoked_at IS NULL")
                .param(nodeId).query(Long.class).single()).isZero();
        assertThat(enroll(spare, NodeKeys.request().csrPem()).status()).isEqualTo(401);
        assertThat(root.post("/nodes/" + nodeId + "/enrollment-token", null).status()).isEqualTo(409);
    }
}

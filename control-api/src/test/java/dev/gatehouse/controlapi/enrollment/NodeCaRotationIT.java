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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * /nodes/ca: a platform admin rotates the node CA in three audited steps, each refused with the
 * figures while it would cut nodes off; nobody else may see or touch it.
 */
class NodeCaRotationIT extends ControlApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    JdbcClient jdbc;


    /** Enrols a new node of the tenant; the enrolment answer. */
    private Api.Response enrolledNode(Tenant tenant) {
        Api.Response enrolled = anonymous.post("/nodes/enroll", map("token",
                newNode(tenant).path("enrollment_token").asString(), "csr", NodeKeys.request().csrPem()));
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(200);
        return enrolled;
    }

    private static List<String> bundle(Api.Response enrolled) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(enrolled.text("ca_bundle")
                        .getBytes(StandardCharsets.US_ASCII)))
                .stream().map(c -> NodeCa.fingerprint((X509Certificate) c)).toList();
    }

    private JsonNode ca(String id) {
        Api.Response list = root.get("/nodes/ca?limit=200");
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        for (JsonNode item : list.json().path("items")) {
            if (item.path("id").asString().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("CA " + id + " is not listed: " + list.body());
    }

    /** One audit entry: who (kind and name) and the state after. */
    private record Audit(String actor, JsonNode after) {
    }

    private Audit audited(String action, String id) {
        return jdbc.sql("SELECT actor_kind || ' ' || actor_name, after_state::text FROM audit_logs"
                        + " WHERE action = ? AND target_type = 'node_ca' AND target_id = ?")
                .params(action, id)
                .query((rs, n) -> new Audit(rs.getString(1), JSON.readTree(rs.getString(2))))
                .single();
    }

    private long audits(String action, String id) {
        return jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = ? AND target_id = ?").params(action, id)
                .query(Long.class).single();
    }

    @Test
    void aPlatformAdminRotatesTheCaInThreeAuditedStepsEachRefusedWhileItWouldCutNodesOff() throws Exception {
        Tenant tenant = newTenant();
        Api.Response before = enrolledNode(tenant);
        String old = null;
        for (JsonNode item : root.get("/nodes/ca").json().path("items")) {
            if (item.path("issuing").asBoolean()) {
                old = item.path("id").asString();
                assertThat(item.path("state").asString()).isEqualTo("issuing");
                assertThat(bundle(before)).contains(item.path("fingerprint").asString());
                assertThat(item.path("certificate").asString()).startsWith("-----BEGIN CERTIFICATE-----");
            }
        }
        assertThat(old).as("one CA issues").isNotNull();

        Api tenantAdmin = member(tenant, "owner").api();
        for (String[] call : new String[][] {{"GET", "/nodes/ca"}, {"POST", "/nodes/ca/stage"},
                {"POST", "/nodes/ca/" + old + "/promote?force=true"}, {"POST", "/nodes/ca/" + old + "/retire?force=true"}}) {
            Api.Response refused = tenantAdmin.send(call[0], call[1], null);
            assertThat(refused.status()).as(String.join(" ", call)).isEqualTo(403);
            assertThat(refused.text("type")).endsWith("/forbidden");
        }
        assertThat(anonymous.get("/nodes/ca").status()).isEqualTo(401);

        // Step 1: staged, in every bundle from now on; one at a time.
        Api.Response staged = root.post("/nodes/ca/stage", null);
        assertThat(staged.status()).as(staged.body()).isEqualTo(201);
        String next = staged.text("id");
        assertThat(staged.text("state")).isEqualTo("staged");
        assertThat(staged.json().path("issuing").asBoolean()).isFalse();
        assertThat(staged.json().path("promoted_at").isNull()).isTrue();
        assertThat(audited("node_ca.stage", next).actor()).isEqualTo("user " + ROOT);
        Api.Response twice = root.post("/nodes/ca/stage", null);
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.text("detail")).contains(next).contains("already staged");
        Api.Response during = enrolledNode(tenant);
        assertThat(bundle(during)).containsExactly(ca(old).path("fingerprint").asString(), staged.text("fingerprint"));

        // Step 2 is refused, with the figures, while certificates issued before staging are valid.
        Api.Response early = root.post("/nodes/ca/" + next + "/promote", null);
        assertThat(early.status()).as(early.body()).isEqualTo(409);
        assertThat(early.header("Content-Type")).startsWith("application/problem+json");
        assertThat(early.text("type")).endsWith("/conflict");
        assertThat(early.json().path("certificate_count").asLong()).isPositive();
        assertThat(early.json().path("node_count").asLong()).isPositive()
                .isLessThanOrEqualTo(early.json().path("certificate_count").asLong());
        assertThat(early.text("last_expiry")).isNotBlank();
        assertThat(early.text("detail")).contains("force=true");
        assertThat(audits("node_ca.promote", next)).isZero();
        assertThat(ca(next).path("state").asString()).isEqualTo("staged");

        Api.Response promoted = root.post("/nodes/ca/" + next + "/promote?force=true", null);
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.text("state")).isEqualTo("issuing");
        assertThat(promoted.text("promoted_at")).isNotBlank();
        JsonNode promotion = audited("node_ca.promote", next).after();
        assertThat(promotion.path("force").asBoolean()).isTrue();
        assertThat(promotion.path("certificate_count").asLong())
                .isEqualTo(early.json().path("certificate_count").asLong());
        assertThat(ca(old).path("state").asString()).isEqualTo("trusted");
        JsonNode created = newNode(tenant);
        assertThat(created.path("ca_sha256").asString()).isEqualTo(promoted.text("fingerprint"));
        Api.Response after = enrolledNode(tenant);
        assertThat(bundle(after)).containsExactly(promoted.text("fingerprint"), ca(old).path("fingerprint").asString());

        // Step 3: never the issuing CA; the old one not while certificates it issued are valid, unless forced.
        Api.Response issuing = root.post("/nodes/ca/" + next + "/retire?force=true", null);
        assertThat(issuing.status()).isEqualTo(409);
        assertThat(issuing.text("detail")).contains("is the issuing one");
        Api.Response inUse = root.post("/nodes/ca/" + old + "/retire", null);
        assertThat(inUse.status()).as(inUse.body()).isEqualTo(409);
        assertThat(inUse.json().path("certificate_count").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(audits("node_ca.retire", old)).isZero();
        Api.Response retired = root.post("/nodes/ca/" + old + "/retire?force=true", null);
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.text("state")).isEqualTo("retired");
        assertThat(retired.text("retired_at")).isNotBlank();
        JsonNode retirement = audited("node_ca.retire", old).after();
        assertThat(retirement.path("state").asString()).isEqualTo("retired");
        assertThat(retirement.path("node_count").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(bundle(enrolledNode(tenant))).containsExactly(promoted.text("fingerprint"));
        assertThat(root.post("/nodes/ca/" + old + "/promote?force=true", null).status()).isEqualTo(409);
        Api.Response unknown = root.post("/nodes/ca/" + UUID.randomUUID() + "/promote", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(root.get("/nodes/ca?limit=0").status()).isEqualTo(400);
    }
}

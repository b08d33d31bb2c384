package dev.gatehouse.nodeagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.support.AgentProcess;
import dev.gatehouse.nodeagent.support.ControlPlaneJars;
import dev.gatehouse.testkit.AdminApi;
import dev.gatehouse.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node certificates issued for one minute (the panel's setting): the agent asks for a new one over
 * its session once a third of its life is left, stores it with its new key, and connects with it;
 * the session stays in use across the renewal.
 */
class CertificateRenewalAgentIT {

    private static ControlPlaneJars plane;

    @TempDir
    Path state;

    @BeforeAll
    static void start() throws Exception {
        // Relaxed binding: gatehouse.domain.node-certificate-validity, for control-api and the collector.
        plane = ControlPlaneJars.start(Map.of("GATEHOUSE_DOMAIN_NODECERTIFICATEVALIDITY", "60s"));
    }

    @AfterAll
    static void stop() {
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    void theAgentRenewsItsCertificateBeforeItExpiresAndReconnectsWithIt() throws Exception {
        AdminApi admin = plane.admin();
        String slug = "t" + UUID.randomUUID().toString().substring(0, 8);
        String tenant = admin.post("/tenants", Map.of("name", slug, "slug", slug)).path("id").asString();
        var created = admin.post("/nodes", Map.of("tenant_id", tenant, "name", "edge", "address", "127.0.0.1",
                "engines", Map.of("xray", Map.of("inbounds", java.util.List.of(Map.of("tag", "vless-in",
                        "protocol", "vless", "port", Ports.free(), "network", "tcp"))))));
        String node = created.path("node").path("id").asString();
        AgentProcess.Finished enrolled = AgentProcess.once(Map.of(), "enroll", "--api", plane.apiBase(), "--token",
                created.path("enrollment_token").asString(), "--state", state.toString());
        assertThat(enrolled.exitCode()).as(enrolled.output()).isZero();
        String first = Files.readString(state.resolve("node.crt"));
        String firstKey = Files.readString(state.resolve("node.key"));

        try (AgentProcess agent = AgentProcess.run(Map.of(), "--state", state.toString(), "--http-port",
                String.valueOf(Ports.free()), "--poll-interval", "1s", "--wireguard", "false")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && (count(node) < 2 || Files.readString(state.resolve("node.crt"))
                    .equals(first))) {
                Thread.sleep(250);
            }
            assertThat(count(node)).as(agent.output()).isGreaterThanOrEqualTo(2);
            assertThat(Files.readString(state.resolve("node.crt"))).isNotEqualTo(first);
            assertThat(Files.readString(state.resolve("node.key"))).as("a new key with the new certificate")
                    .isNotEqualTo(firstKey);
            // The agent is back in session on the renewed certificate: the node is seen and online.
            long seenBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < seenBy && !agent.output().contains("stored the renewed node certificate")) {
                Thread.sleep(250);
            }
            assertThat(agent.output()).contains("stored the renewed node certificate");
            long onlineBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String renewedSerial = serialOfLatest(node);
            while (System.nanoTime() < onlineBy && !(query("SELECT status FROM nodes WHERE id = '" + node + "'")
                    .equals("online") && agent.output().lines().filter(l -> l.contains("session open")).count() >= 2)) {
                Thread.sleep(250);
            }
            assertThat(agent.output().lines().filter(l -> l.contains("session open")).count())
                    .as("a new session on the renewed certificate (serial " + renewedSerial + ")\n" + agent.output())
                    .isGreaterThanOrEqualTo(2);
        }
    }

    private long count(String node) throws Exception {
        return Long.parseLong(query("SELECT count(*) FROM node_certificates WHERE node_id = '" + node + "'"));
    }

    private String serialOfLatest(String node) throws Exception {
        return query("SELECT serial FROM node_certificates WHERE node_id = '" + node + "' ORDER BY not_after DESC"
                + " LIMIT 1");
    }

    private String query(String sql) throws Exception {
        try (Connection c = plane.database(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? String.valueOf(rs.getObject(1)) : "";
        }
    }
}

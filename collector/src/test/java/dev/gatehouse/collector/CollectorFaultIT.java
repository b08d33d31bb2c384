package dev.gatehouse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.session.SessionChannels;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.testkit.NodeKeys;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The collector as it runs (its jar, a process of its own) while an agent streams batches: killed
 * with SIGKILL and restarted, and its PostgreSQL connections terminated. The agent resends every
 * batch it has no acknowledgement for; afterwards every acknowledged sample is stored exactly once
 * and the stored bytes equal what was sent.
 */
class CollectorFaultIT {

    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final int BATCHES = 120;
    private static final int SAMPLES = 25;

    private final int grpcPort = Ports.free();
    private final int httpPort = Ports.free();
    private final String namespace = "gh-fault-" + UUID.randomUUID();
    private TestDatabase db;
    private Process collector;
    private ManagedChannel channel;
    private Path log;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (collector != null) {
            collector.destroyForcibly();
        }
    }

    private void startCollector() throws Exception {
        Path jar = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).resolve("target/gatehouse-collector.jar");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("GATEHOUSE_DB_URL", db.jdbcUrl());
        pb.environment().put("GATEHOUSE_DB_USER", db.username());
        pb.environment().put("GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password());
        pb.environment().put("GATEHOUSE_REDIS_URL", TestRedis.instance().url());
        pb.environment().put("GATEHOUSE_REDIS_NAMESPACE", namespace);
        // The data key as a secret file, the way compose hands it over (a Spring config tree).
        Path secrets = Files.createTempDirectory("collector-secrets");
        Files.writeString(secrets.resolve("gatehouse.domain.data-key"), KEY + "\n");
        pb.environment().put("GATEHOUSE_SECRETS_DIR", secrets + "/");
        pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpcPort));
        pb.environment().put("GATEHOUSE_COLLECTOR_ADDRESS", "127.0.0.1:" + grpcPort);
        pb.environment().put("GATEHOUSE_COLLECTOR_BIND_ADDRESS", "127.0.0.1");
        collector = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            // Ready means both: health UP and the session port accepting; either alone can come first.
            if (Ports.listening(grpcPort)) {
                try {
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + httpPort + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                        return;
                    }
                } catch (java.io.IOException notYet) {
                    // starting
                }
            }
            assertThat(collector.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("the collector is up within 90 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private AgentStream open(NodeKeys.Request keys, String certificate, String bundle) {
        if (channel != null) {
            channel.shutdownNow();
        }
        channel = SessionChannels.mtls("127.0.0.1", grpcPort, keys.keys().getPrivate(), certificate, bundle);
        AgentStream stream = AgentStream.open(channel);
        stream.requests().onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setCapabilityVersion(1)
                .setAgentVersion("fault-test")).build());
        return stream;
    }

    @Test
    void everyAcknowledgedSampleIsStoredOnceThroughAKillAndTerminatedConnections() throws Exception {
        db = TestPostgres.instance().createMigratedDatabase();
        log = Files.createTempFile("collector-fault", ".log");
        DriverManagerDataSource source = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
        JdbcClient jdbc = JdbcClient.create(source);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(source));
        UUID tenant = jdbc.sql("INSERT INTO tenants (name, slug) VALUES ('f', 'f') RETURNING id").query(UUID.class)
                .single();
        UUID person = jdbc.sql("INSERT INTO users (tenant_id, username) VALUES (?, 'p') RETURNING id").param(tenant)
                .query(UUID.class).single();
        UUID plan = jdbc.sql("INSERT INTO plans (tenant_id, name, engines) VALUES (?, 'p', '{xray}') RETURNING id")
                .param(tenant).query(UUID.class).single();
        UUID node = jdbc.sql("""
                        INSERT INTO nodes (tenant_id, name, address, engines) VALUES (?, 'n', 'n.example.net',
                        '{"xray": {"inbounds": [{"tag": "v", "protocol": "vless", "port": 443}]}}') RETURNING id""")
                .param(tenant).query(UUID.class).single();
        jdbc.sql("INSERT INTO node_revisions (node_id, desired_revision) VALUES (?, 1)").param(node).update();
        UUID subscription = jdbc.sql("""
                        INSERT INTO subscriptions (tenant_id, user_id, plan_id, state, engines, starts_at, sub_token_hash)
                        VALUES (?, ?, ?, 'active', '{xray}', now(), sha256('fault'::bytea)) RETURNING id""")
                .params(tenant, person, plan).query(UUID.class).single();
        UUID credential = jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)
                        VALUES (?, ?, 'xray', gen_random_uuid(), '') RETURNING id""")
                .params(tenant, subscription).query(UUID.class).single();
        jdbc.sql("""
                        INSERT INTO node_served (node_id, credential_id, engine, subscription_id, user_id, tenant_id,
                                                 revision)
                        VALUES (?, ?, 'xray', ?, ?, ?, 1)""")
                .params(node, credential, subscription, person, tenant).update();
        NodeCa ca = new NodeCa(jdbc, DataKey.of(KEY), Clock.systemUTC(), Duration.ofDays(7));
        NodeKeys.Request keys = NodeKeys.request();
        NodeCa.Issued issued = tx.execute(t -> ca.issue(node, NodeCa.parseRequest(keys.csrPem())));

        startCollector();
        Instant end = Instant.now().minusSeconds(60);
        long expected = 0;
        int reconnects = 0;
        boolean terminated = false;
        AgentStream stream = open(keys, issued.certificatePem(), issued.caBundlePem());
        for (int batch = 1; batch <= BATCHES; batch++) {
            TrafficBatch.Builder message = TrafficBatch.newBuilder().setBatchId(batch);
            for (int i = 0; i < SAMPLES; i++) {
                long seq = (long) batch * SAMPLES + i;
                message.addSamples(TrafficSample.newBuilder().setCredentialId(credential.toString())
                        .setEngine(Engine.ENGINE_XRAY).setCounterSeq(seq)
                        .setTsStart(Timestamp.newBuilder().setSeconds(end.getEpochSecond() - 10))
                        .setTsEnd(Timestamp.newBuilder().setSeconds(end.getEpochSecond()))
                        .setBytesUp(seq).setBytesDown(2 * seq));
                expected += 3 * seq;
            }
            // Send until acknowledged: a batch without an acknowledgement is resent on a new session.
            while (true) {
                boolean ended = false;
                try {
                    stream.requests().onNext(AgentMessage.newBuilder().setTraffic(message).build());
                } catch (RuntimeException closed) {
                    ended = true;
                }
                // The faults strike while a batch is in flight: it may or may not be stored.
                if (batch == 40 && reconnects == 0) {
                    collector.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    startCollector();
                }
                if (batch == 80 && !terminated) {
                    terminated = true;
                    jdbc.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND pid <> pg_backend_pid()")
                            .query(Boolean.class).list();
                }
                boolean acked = false;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ended && !acked && System.nanoTime() < until) {
                    Object next = stream.replies().poll(1, TimeUnit.SECONDS);
                    if (next instanceof io.grpc.Status) {
                        ended = true;
                    } else if (next instanceof ControlMessage control && control.hasTrafficAck()
                            && control.getTrafficAck().getBatchId() == batch) {
                        assertThat(control.getTrafficAck().getRejectedList()).isEmpty();
                        acked = true;
                    }
                }
                if (acked) {
                    break;
                }
                reconnects++;
                assertThat(reconnects).as("reconnects stay bounded").isLessThan(200);
                Thread.sleep(300);
                stream = open(keys, issued.certificatePem(), issued.caBundlePem());
            }
        }
        assertThat(reconnects).as("the faults made the agent reconnect").isPositive();
        assertThat(jdbc.sql("SELECT count(*), count(DISTINCT counter_seq), sum(bytes_up + bytes_down)"
                        + " FROM traffic_events WHERE node_id = ?").param(node)
                .query((rs, n) -> rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3)).single())
                .isEqualTo((BATCHES * SAMPLES) + " " + (BATCHES * SAMPLES) + " " + expected);
        assertThat(jdbc.sql("SELECT used_bytes_up + used_bytes_down FROM subscriptions WHERE id = ?")
                .param(subscription).query(Long.class).single()).isEqualTo(expected);
    }
}

package dev.gatehouse.collector;

import com.google.protobuf.Timestamp;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.proto.session.SessionChannels;
import dev.gatehouse.testkit.NodeKeys;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One enrolled node serving one person's Xray credential, in a migrated database, with the
 * node's key and certificate: what a test agent needs to open a session and send traffic.
 */
record OneNode(UUID node, UUID credential, UUID subscription, NodeKeys.Request keys, String certificate,
               String caBundle) {

    static OneNode create(DataSource source, String dataKey) {
        JdbcClient jdbc = JdbcClient.create(source);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(source));
        UUID tenant = jdbc.sql("INSERT INTO tenants (name, slug) VALUES ('o', 'o') RETURNING id").query(UUID.class)
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
                        VALUES (?, ?, ?, 'active', '{xray}', now(), sha256('one-node'::bytea)) RETURNING id""")
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
        NodeCa ca = new NodeCa(jdbc, DataKey.of(dataKey), Clock.systemUTC(), Duration.ofDays(7));
        NodeKeys.Request keys = NodeKeys.request();
        NodeCa.Issued issued = tx.execute(t -> ca.issue(node, NodeCa.parseRequest(keys.csrPem())));
        return new OneNode(node, credential, subscription, keys, issued.certificatePem(), issued.caBundlePem());
    }

    /** A session to the collector on {@code port}, greeted with Hello. */
    AgentStream open(ManagedChannel channel) {
        AgentStream stream = AgentStream.open(channel);
        stream.requests().onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setCapabilityVersion(1)
                .setAgentVersion("outage-test")).build());
        return stream;
    }

    ManagedChannel channel(int port) {
        return SessionChannels.mtls("127.0.0.1", port, keys.keys().getPrivate(), certificate, caBundle);
    }

    /** Batch {@code id}: {@code samples} samples of this credential, each up = seq, down = 2 seq. */
    TrafficBatch batch(long id, int samples, Instant end) {
        TrafficBatch.Builder batch = TrafficBatch.newBuilder().setBatchId(id);
        for (int i = 0; i < samples; i++) {
            long seq = id * samples + i;
            batch.addSamples(TrafficSample.newBuilder().setCredentialId(credential.toString())
                    .setEngine(Engine.ENGINE_XRAY).setCounterSeq(seq)
                    .setTsStart(Timestamp.newBuilder().setSeconds(end.getEpochSecond() - 10))
                    .setTsEnd(Timestamp.newBuilder().setSeconds(end.getEpochSecond()))
                    .setBytesUp(seq).setBytesDown(2 * seq));
        }
        return batch.build();
    }
}

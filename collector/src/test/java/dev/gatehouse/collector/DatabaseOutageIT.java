package dev.gatehouse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.testkit.AppJar;
import dev.gatehouse.testkit.HttpCalls;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.StoppablePostgres;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The collector as it runs (its jar) while its PostgreSQL server is stopped and started again: no
 * batch is acknowledged while the database is away (the agent keeps it and resends), the process
 * stays up, and once PostgreSQL is back a resent batch is stored and acknowledged with nothing lost
 * or counted twice. With JSON logs, a session's lines name its node.
 */
class DatabaseOutageIT {

    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final int SAMPLES = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int grpcPort = Ports.free();

    @Test
    void withoutPostgresNothingIsAcknowledgedAndAfterItReturnsEveryBatchIsStoredOnce() throws Exception {
        try (StoppablePostgres postgres = StoppablePostgres.start()) {
            TestDatabase db = postgres.createMigratedDatabase("gatehouse");
            DriverManagerDataSource source = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
            OneNode one = OneNode.create(source, KEY);
            Instant end = Instant.now().minusSeconds(60);
            try (AppJar collector = start(db, Map.of())) {
                ManagedChannel channel = one.channel(grpcPort);
                try {
                    AgentStream stream = one.open(channel);
                    assertThat(send(stream, one.batch(1, SAMPLES, end))).as("acknowledged while PostgreSQL is up")
                            .isEqualTo(Status.Code.OK);

                    postgres.stop();

                    // The batch in flight is not acknowledged: its session ends, and so does every new one.
                    assertThat(send(stream, one.batch(2, SAMPLES, end))).isEqualTo(Status.Code.UNAVAILABLE);
                    for (int attempt = 0; attempt < 3; attempt++) {
                        assertThat(send(one.open(channel), one.batch(2, SAMPLES, end)))
                                .isEqualTo(Status.Code.UNAVAILABLE);
                    }
                    assertThat(collector.isAlive()).isTrue();
                    assertThat(HttpCalls.get(collector.base(), "/actuator/health", null).statusCode()).isEqualTo(503);

                    postgres.startAgain();

                    // As the agent does: resend on a new session until acknowledged, then carry on.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    Status.Code outcome;
                    do {
                        assertThat(System.nanoTime()).as("acknowledged within 60 s of PostgreSQL's return:\n%s",
                                collector.tail(40)).isLessThan(deadline);
                        Thread.sleep(500);
                        stream = one.open(channel);
                        outcome = send(stream, one.batch(2, SAMPLES, end));
                    } while (outcome != Status.Code.OK);
                    assertThat(send(stream, one.batch(3, SAMPLES, end))).isEqualTo(Status.Code.OK);
                } finally {
                    channel.shutdownNow();
                }
            }
            long expected = 0;
            for (long seq = SAMPLES; seq < 4L * SAMPLES; seq++) {
                expected += 3 * seq;
            }
            JdbcClient jdbc = JdbcClient.create(source);
            assertThat(jdbc.sql("SELECT count(*), count(DISTINCT counter_seq), sum(bytes_up + bytes_down)"
                            + " FROM traffic_events WHERE node_id = ?").param(one.node())
                    .query((rs, n) -> rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3)).single())
                    .isEqualTo((3 * SAMPLES) + " " + (3 * SAMPLES) + " " + expected);
            assertThat(jdbc.sql("SELECT used_bytes_up + used_bytes_down FROM subscriptions WHERE id = ?")
                    .param(one.subscription()).query(Long.class).single()).isEqualTo(expected);
        }
    }

    @Test
    void jsonLogLinesOfASessionNameItsNode() throws Exception {
        TestDatabase db = TestPostgres.instance().createMigratedDatabase();
        OneNode one = OneNode.create(new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password()), KEY);
        List<JsonNode> lines;
        try (AppJar collector = start(db, Map.of("GATEHOUSE_LOG_FORMAT", "json"))) {
            ManagedChannel channel = one.channel(grpcPort);
            try {
                AgentStream stream = one.open(channel);
                assertThat(send(stream, one.batch(1, SAMPLES, Instant.now().minusSeconds(60))))
                        .isEqualTo(Status.Code.OK);
                stream.requests().onCompleted();
                assertThat(stream.replies().poll(20, TimeUnit.SECONDS)).isEqualTo(Status.OK);
            } finally {
                channel.shutdownNow();
            }
            collector.stop();
            lines = collector.lines().stream().filter(l -> l.startsWith("{")).map(JSON::readTree).toList();
        }
        assertThat(lines).filteredOn(l -> l.path("message").asString().contains("session opened"))
                .singleElement().satisfies(l -> {
                    assertThat(l.path("node_id").asString()).isEqualTo(one.node().toString());
                    assertThat(l.path("service").asString()).isEqualTo("collector");
                });
        assertThat(lines).filteredOn(l -> l.path("message").asString().contains("session ended"))
                .singleElement().satisfies(l -> assertThat(l.path("node_id").asString())
                        .isEqualTo(one.node().toString()));
    }

    private AppJar start(TestDatabase db, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "GATEHOUSE_DB_URL", db.jdbcUrl(),
                "GATEHOUSE_DB_USER", db.username(),
                "GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password(),
                "GATEHOUSE_REDIS_URL", TestRedis.instance().url(),
                "GATEHOUSE_REDIS_NAMESPACE", "collector-outage-" + UUID.randomUUID(),
                "GATEHOUSE_DATA_KEY", KEY,
                "GATEHOUSE_COLLECTOR_GRPC_PORT", String.valueOf(grpcPort),
                "GATEHOUSE_COLLECTOR_ADDRESS", "127.0.0.1:" + grpcPort,
                "GATEHOUSE_COLLECTOR_BIND_ADDRESS", "127.0.0.1"));
        env.putAll(extra);
        AppJar collector = AppJar.start(AppJar.of("collector"), env, Ports.free());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Ports.listening(grpcPort)) {
            assertThat(System.nanoTime()).as("the session port opens:\n%s", collector.tail(40)).isLessThan(deadline);
            Thread.sleep(100);
        }
        return collector;
    }

    /**
     * Sends the batch and waits for its acknowledgement (OK) or the end of the session (its
     * status code); bounded, so a collector that neither answers nor ends fails the test.
     */
    private static Status.Code send(AgentStream stream, TrafficBatch batch) throws InterruptedException {
        try {
            stream.requests().onNext(AgentMessage.newBuilder().setTraffic(batch).build());
        } catch (RuntimeException ended) {
            // the session is already over; its status is among the replies
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Object reply = stream.replies().poll(1, TimeUnit.SECONDS);
            if (reply instanceof Status status) {
                return status.getCode();
            }
            if (reply instanceof ControlMessage control && control.hasTrafficAck()
                    && control.getTrafficAck().getBatchId() == batch.getBatchId()) {
                assertThat(control.getTrafficAck().getRejectedList()).isEmpty();
                return Status.Code.OK;
            }
        }
        throw new AssertionError("batch " + batch.getBatchId() + " was neither acknowledged nor refused in 30 s");
    }
}

package dev.gatehouse.scheduler.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.scheduler.SchedulerIT;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Notifications once per period, delivered as signed webhooks to a real HTTP endpoint, retried, logged. */
class WebhookIT extends SchedulerIT {

    /** What the endpoint received: headers that matter and the raw body. */
    record Received(String event, String delivery, String signature, String body) {
    }

    @Autowired
    DataKey dataKey;

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** Status codes to answer in turn; 0: never answer (hold the request past the timeout). */
    private final List<Integer> answers = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private UUID tenant;
    private UUID plan;

    @BeforeEach
    void endpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Gatehouse-Event"),
                    exchange.getRequestHeaders().getFirst("X-Gatehouse-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Gatehouse-Signature"),
                    new String(body, StandardCharsets.UTF_8)));
            int n = calls.getAndIncrement();
            int status = n < answers.size() ? answers.get(n) : 204;
            if (status == 0) {
                try {
                    Thread.sleep(4_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        tenant = fixtures().tenant();
        plan = fixtures().plan(tenant, 1_000L);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** A webhook of the tenant for the kinds; returns its secret. */
    private String webhook(String url, String... kinds) {
        UUID id = UUID.randomUUID();
        String secret = "s3cret-" + id;
        byte[] sealed = dataKey.seal(secret.getBytes(StandardCharsets.UTF_8),
                id.toString().getBytes(StandardCharsets.UTF_8));
        jdbc.sql("INSERT INTO webhooks (id, tenant_id, name, url, secret, events) VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, tenant, "hook-" + id, url, sealed, kinds).update();
        return secret;
    }

    private UUID subscription(long used) {
        UUID sub = fixtures().subscription(tenant, fixtures().person(tenant), plan, List.of());
        jdbc.sql("UPDATE subscriptions SET used_bytes_down = ? WHERE id = ?").params(used, sub).update();
        return sub;
    }

    private Map<String, Object> delivery(UUID sub) {
        return jdbc.sql("""
                        SELECT d.status, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at
                        FROM webhook_deliveries d JOIN notifications n ON n.id = d.notification_id
                        WHERE n.subject_id = ?""").param(sub).query().singleRow();
    }

    @Test
    void usageAtEightyPercentIsSentOnceSignedWithTheWebhooksSecret() {
        String secret = webhook(url(), "usage_80", "usage_100");
        webhook(url(), "expired");
        UUID sub = subscription(850);

        assertThat(run("notifications").rows()).isEqualTo(1);
        assertThat(run("webhook-delivery").rows()).isEqualTo(1);
        run("notifications");
        run("webhook-delivery");

        assertThat(received).hasSize(1);
        Received r = received.get(0);
        assertThat(r.event()).isEqualTo("usage_80");
        assertThat(r.body()).contains("\"kind\":\"usage_80\"").contains(sub.toString()).contains("\"used_bytes\": 850");
        assertThat(r.signature()).isEqualTo(WebhookDeliveryTask.signature(secret.getBytes(StandardCharsets.UTF_8),
                r.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(delivery(sub)).containsEntry("status", "delivered").containsEntry("attempts", 1)
                .containsEntry("last_status_code", 204);
        assertThat(r.delivery()).isEqualTo(jdbc.sql("SELECT d.id::text FROM webhook_deliveries d JOIN notifications n"
                + " ON n.id = d.notification_id WHERE n.subject_id = ?").param(sub).query(String.class).single());
    }

    @Test
    void theNextPeriodIsNotifiedAgain() {
        webhook(url(), "usage_100");
        UUID sub = subscription(1_000);
        run("notifications");
        jdbc.sql("UPDATE subscriptions SET last_reset_at = ?, used_bytes_down = 1000 WHERE id = ?")
                .params(Timestamp.from(Instant.now()), sub).update();
        run("notifications");

        assertThat(jdbc.sql("SELECT count(*) FROM notifications WHERE subject_id = ? AND kind = 'usage_100'")
                .param(sub).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void anEndpointAnswering500IsRetriedAfterItsBackoffUntilItTakesIt() {
        webhook(url(), "usage_100");
        UUID sub = subscription(1_000);
        answers.add(500);
        run("notifications");

        run("webhook-delivery");
        assertThat(delivery(sub)).containsEntry("status", "pending").containsEntry("attempts", 1)
                .containsEntry("last_status_code", 500).containsEntry("last_error", "answered HTTP 500");
        run("webhook-delivery"); // not due yet
        assertThat(received).hasSize(1);

        CLOCK.set(Instant.now().plus(Duration.ofSeconds(5)));
        run("webhook-delivery");

        assertThat(received).hasSize(2);
        assertThat(received.get(1).delivery()).isEqualTo(received.get(0).delivery());
        assertThat(delivery(sub)).containsEntry("status", "delivered").containsEntry("attempts", 2);
    }

    @Test
    void anEndpointThatNeverAnswersTimesOutAndIsGivenUpAfterTheLastAttempt() {
        webhook(url(), "usage_100");
        UUID sub = subscription(1_000);
        answers.addAll(List.of(0, 0, 0));
        run("notifications");

        Instant at = Instant.now();
        for (int attempt = 1; attempt <= 3; attempt++) {
            CLOCK.set(at);
            run("webhook-delivery");
            assertThat(delivery(sub)).containsEntry("attempts", attempt)
                    .containsEntry("last_error", "no answer within 1s");
            at = at.plus(Duration.ofMinutes(1));
        }
        assertThat(delivery(sub)).containsEntry("status", "failed");
        CLOCK.set(at.plus(Duration.ofHours(1)));
        run("webhook-delivery");
        assertThat(delivery(sub)).containsEntry("attempts", 3);
    }

    @Test
    void anEndpointThatRefusesConnectionsIsRetried() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        webhook("http://127.0.0.1:" + closed + "/hook", "usage_100");
        UUID sub = subscription(1_000);
        run("notifications");

        run("webhook-delivery");

        assertThat(delivery(sub)).containsEntry("status", "pending")
                .containsEntry("last_error", "connection refused or unreachable");
    }

    @Test
    void expiringExpiredAndOfflineNodesAreNotifiedAndTenantsWithoutWebhooksAreNotSearched() {
        webhook(url(), "expiring", "expired", "node_offline");
        UUID expiring = subscription(0);
        jdbc.sql("UPDATE subscriptions SET expires_at = now() + interval '2 days' WHERE id = ?").param(expiring)
                .update();
        UUID expired = subscription(0);
        jdbc.sql("""
                        UPDATE subscriptions SET state = 'expired', starts_at = now() - interval '30 days',
                               expires_at = now() - interval '1 hour' WHERE id = ?""")
                .param(expired).update();
        UUID node = fixtures().node(tenant);
        jdbc.sql("UPDATE nodes SET status = 'offline', last_seen_at = now() - interval '10 minutes' WHERE id = ?")
                .param(node).update();
        UUID otherTenant = fixtures().tenant();
        UUID quiet = fixtures().subscription(otherTenant, fixtures().person(otherTenant),
                fixtures().plan(otherTenant, 10L), List.of());
        jdbc.sql("UPDATE subscriptions SET used_bytes_down = 10 WHERE id = ?").param(quiet).update();

        run("notifications");

        assertThat(jdbc.sql("SELECT kind FROM notifications WHERE tenant_id = ? ORDER BY kind").param(tenant)
                .query(String.class).list()).containsExactly("expired", "expiring", "node_offline");
        assertThat(jdbc.sql("SELECT count(*) FROM notifications WHERE tenant_id = ?").param(otherTenant)
                .query(Long.class).single()).isZero();
        run("webhook-delivery");
        assertThat(received).extracting(Received::event)
                .containsExactlyInAnyOrder("expired", "expiring", "node_offline");
    }
}

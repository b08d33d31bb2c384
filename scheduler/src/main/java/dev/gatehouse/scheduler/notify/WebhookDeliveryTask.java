package dev.gatehouse.scheduler.notify;

import dev.gatehouse.domain.model.WebhookDeliveryStatus;
import dev.gatehouse.domain.support.DataKey;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Delivers queued notifications to their webhooks: claims due deliveries (FOR UPDATE SKIP LOCKED,
 * the claim lasting one timeout beyond an attempt, so a crashed scheduler's claim runs out and
 * another retries), POSTs each as JSON signed with HMAC-SHA256 under the webhook's secret, and
 * records the answer. A 2xx is delivered; anything else (an error status, a refused connection, a
 * timeout, an endpoint that never answers) is retried with doubling backoff until the attempts run
 * out. The delivery id travels in a header and stays the same across retries, so a receiver can
 * drop a repeat: delivery is at least once. URLs that resolve to an internal address are refused
 * unless the installation allows them (gatehouse.scheduler.webhooks.allow-private-addresses).
 */
@Component
class WebhookDeliveryTask implements ScheduledTask, DisposableBean {

    private record Claimed(UUID id, int attempts, UUID webhookId, String url, byte[] secret, boolean enabled,
                           UUID notificationId, String kind, UUID tenantId, String payload, Instant createdAt) {
    }

    /** What one attempt got: a status code, or why there was none. */
    private record Answer(Integer status, String error) {
        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /**
     * The pending status as an SQL literal: written into the statements rather than bound, so the
     * planner always matches the due index, which is partial on it.
     */
    private static final String PENDING = "'" + WebhookDeliveryStatus.PENDING.db() + "'";

    private final JdbcClient jdbc;
    private final DataKey dataKey;
    private final SchedulerProperties.Webhooks settings;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "webhook-sender");
        t.setDaemon(true);
        return t;
    });
    private final MeterRegistry meters;

    WebhookDeliveryTask(JdbcClient jdbc, DataKey dataKey, SchedulerProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.dataKey = dataKey;
        this.settings = properties.webhooks();
        this.meters = meters;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "webhook-delivery";
    }

    @Override
    public String description() {
        return "POSTs queued notifications to their webhooks, signed (HMAC-SHA256), retried with backoff, each answer"
                + " logged";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofSeconds(10);
    }

    @Override
    public long run(JobContext context) {
        Instant now = context.now();
        List<Claimed> claimed = context.write(() -> claim(now));
        List<Future<Answer>> answers = claimed.stream().map(c -> senders.submit(() -> send(c))).toList();
        long delivered = 0;
        for (int i = 0; i < claimed.size(); i++) {
            Answer answer = await(answers.get(i));
            record(claimed.get(i), answer, context.now());
            delivered += answer.delivered() ? 1 : 0;
        }
        return delivered;
    }

    private List<Claimed> claim(Instant now) {
        Timestamp at = Timestamp.from(now);
        Timestamp claimUntil = Timestamp.from(now.plus(settings.timeout()).plus(settings.timeout()));
        return jdbc.sql("""
                        WITH due AS (SELECT id FROM webhook_deliveries WHERE status = %s AND next_attempt_at <= ?
                                     ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED),
                             claimed AS (UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = ?,
                                                                        next_attempt_at = ?
                                         FROM due WHERE d.id = due.id
                                         RETURNING d.id, d.attempts, d.webhook_id, d.notification_id)
                        SELECT c.id, c.attempts, w.id, w.url, w.secret, w.enabled, n.id, n.kind, n.tenant_id,
                               n.payload::text, n.created_at
                        FROM claimed c JOIN webhooks w ON w.id = c.webhook_id
                        JOIN notifications n ON n.id = c.notification_id""".formatted(PENDING))
                .params(at, settings.batch(), at, claimUntil)
                .query((rs, n) -> new Claimed(rs.getObject(1, UUID.class), rs.getInt(2), rs.getObject(3, UUID.class),
                        rs.getString(4), rs.getBytes(5), rs.getBoolean(6), rs.getObject(7, UUID.class),
                        rs.getString(8), rs.getObject(9, UUID.class), rs.getString(10),
                        rs.getTimestamp(11).toInstant()))
                .list();
    }

    /** The body every webhook receives: the notification, its data as detected. */
    static String body(UUID notificationId, String kind, UUID tenantId, Instant createdAt, String payload) {
        return "{\"id\":\"" + notificationId + "\",\"kind\":\"" + kind + "\",\"tenant_id\":\"" + tenantId
                + "\",\"created_at\":\"" + createdAt + "\",\"data\":" + payload + "}";
    }

    /** sha256=hex(HMAC-SHA256(secret, body)): what X-Gatehouse-Signature carries. */
    static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Answer send(Claimed c) {
        if (!c.enabled()) {
            return new Answer(null, "the webhook is disabled");
        }
        byte[] secret = dataKey.present()
                ? dataKey.open(c.secret(), c.webhookId().toString().getBytes(StandardCharsets.UTF_8)).orElse(null)
                : null;
        if (secret == null) {
            return new Answer(null, "the webhook's secret does not open with this installation's data key");
        }
        byte[] body = body(c.notificationId(), c.kind(), c.tenantId(), c.createdAt(), c.payload())
                .getBytes(StandardCharsets.UTF_8);
        String refused = settings.allowPrivateAddresses() ? null : refusedTarget(c.url());
        if (refused != null) {
            return new Answer(null, refused);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(c.url())).timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Gatehouse-Webhooks")
                    .header("X-Gatehouse-Event", c.kind())
                    .header("X-Gatehouse-Delivery", c.id().toString())
                    .header("X-Gatehouse-Signature", signature(secret, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        } catch (IllegalArgumentException e) {
            return new Answer(null, "the webhook's URL is not usable");
        }
        try {
            HttpResponse<Void> response = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .get(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            return new Answer(response.statusCode(), response.statusCode() / 100 == 2 ? null
                    : "answered HTTP " + response.statusCode());
        } catch (TimeoutException e) {
            return new Answer(null, "no answer within " + settings.timeout().toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                return new Answer(null, "no answer within " + settings.timeout().toSeconds() + "s");
            }
            if (cause instanceof java.net.ConnectException) {
                return new Answer(null, "connection refused or unreachable");
            }
            return new Answer(null, "failed: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted");
        }
    }

    /** Why the URL may not be called (it resolves to an internal address), or null when it may. */
    static String refusedTarget(String url) {
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "the webhook's URL is not usable";
        }
        if (host == null) {
            return "the webhook's URL has no host";
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (internal(address)) {
                    return "refused: " + host + " resolves to an internal address (" + address.getHostAddress() + ")";
                }
            }
        } catch (UnknownHostException e) {
            return "the host " + host + " does not resolve";
        }
        return null;
    }

    /** Loopback, private, link-local, unspecified, multicast, shared (100.64/10) or unique-local (fc00::/7). */
    static boolean internal(InetAddress address) {
        byte[] b = address.getAddress();
        boolean shared = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress() || shared || uniqueLocal;
    }

    private Answer await(Future<Answer> answer) {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted");
        } catch (ExecutionException e) {
            return new Answer(null, "failed: " + e.getCause().getClass().getSimpleName());
        }
    }

    /** Records the attempt's answer, unless another attempt has claimed the delivery since. */
    private void record(Claimed c, Answer answer, Instant now) {
        WebhookDeliveryStatus status;
        Instant next;
        if (answer.delivered()) {
            status = WebhookDeliveryStatus.DELIVERED;
            next = now;
        } else if (c.attempts() >= settings.maxAttempts()) {
            status = WebhookDeliveryStatus.FAILED;
            next = now;
        } else {
            status = WebhookDeliveryStatus.PENDING;
            next = now.plus(backoff(c.attempts()));
        }
        jdbc.sql("""
                        UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?,
                               delivered_at = ?
                        WHERE id = ? AND attempts = ? AND status = %s""".formatted(PENDING))
                .params(status.db(), Timestamp.from(next), answer.status(), answer.error(),
                        answer.delivered() ? Timestamp.from(now) : null, c.id(), c.attempts())
                .update();
        String outcome = status == WebhookDeliveryStatus.PENDING ? "retry" : status.db();
        Counter.builder("gatehouse_webhook_deliveries").tag("outcome", outcome)
                .description("Webhook delivery attempts by outcome").register(meters).increment();
    }

    /** The wait after the n-th failed attempt: the first backoff doubled n-1 times, capped, with up to 10% jitter. */
    Duration backoff(int attempts) {
        long base = settings.firstBackoff().toMillis() << Math.min(attempts - 1, 20);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 10 + 1));
    }

    @Override
    public void destroy() {
        senders.shutdownNow();
    }
}

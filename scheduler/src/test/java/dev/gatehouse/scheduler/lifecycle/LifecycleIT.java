package dev.gatehouse.scheduler.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.scheduler.SchedulerIT;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The lifecycle sweep: expiry, on-hold deadlines, quota from the running counters, next plans; once each. */
class LifecycleIT extends SchedulerIT {

    @Autowired
    DesiredState desired;

    private UUID tenant;
    private UUID node;
    private UUID plan;

    @BeforeEach
    void layout() {
        tenant = fixtures().tenant();
        node = fixtures().node(tenant);
        plan = fixtures().plan(tenant, 1_000_000L);
    }

    private UUID served() {
        UUID sub = fixtures().subscription(tenant, fixtures().person(tenant), plan, List.of(node));
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
        assertThat(servedOn(sub)).isEqualTo(2);
        return sub;
    }

    private long servedOn(UUID sub) {
        return jdbc.sql("SELECT count(*) FROM node_served WHERE node_id = ? AND subscription_id = ?")
                .params(node, sub).query(Long.class).single();
    }

    private String state(UUID sub) {
        return jdbc.sql("SELECT state FROM subscriptions WHERE id = ?").param(sub).query(String.class).single();
    }

    private void set(UUID sub, String assignments, Object... params) {
        Object[] all = java.util.Arrays.copyOf(params, params.length + 1);
        all[params.length] = sub;
        jdbc.sql("UPDATE subscriptions SET " + assignments + " WHERE id = ?").params(all).update();
    }

    @Test
    void anExpiredSubscriptionIsCutOffItsNodesToldAndASecondRunDoesNothing() {
        UUID sub = served();
        Instant now = Instant.now();
        set(sub, "expires_at = ?", Timestamp.from(now.plus(Duration.ofHours(1))));
        long revision = fixtures().revision(node);

        CLOCK.set(now.plus(Duration.ofHours(2)));
        assertThat(run("lifecycle").rows()).isPositive();

        assertThat(state(sub)).isEqualTo("expired");
        assertThat(servedOn(sub)).isZero();
        assertThat(fixtures().revision(node)).isGreaterThan(revision);
        long after = fixtures().revision(node);
        run("lifecycle");
        assertThat(fixtures().revision(node)).isEqualTo(after);
        assertThat(state(sub)).isEqualTo("expired");
    }

    @Test
    void usageAtTheQuotaThatTheFastPathMissedExhaustsTheSubscription() {
        UUID sub = served();
        set(sub, "used_bytes_down = 1000000");

        run("lifecycle");

        assertThat(state(sub)).isEqualTo("exhausted");
        assertThat(servedOn(sub)).isZero();
    }

    @Test
    void anUnusedOnHoldSubscriptionPastItsDeadlineExpires() {
        UUID sub = served();
        Instant now = Instant.now();
        set(sub, "state = 'on_hold', starts_at = NULL, on_hold_deadline = ?", Timestamp.from(now.plusSeconds(60)));

        CLOCK.set(now.plusSeconds(120));
        run("lifecycle");

        assertThat(state(sub)).isEqualTo("expired");
    }

    @Test
    void anEndedSubscriptionWithANextPlanMovesOntoItAndIsAudited() {
        UUID next = fixtures().plan(tenant, 5_000_000L);
        UUID sub = served();
        Instant now = Instant.now();
        set(sub, "expires_at = ?, next_plan_id = ?, used_bytes_down = 10", Timestamp.from(now.plusSeconds(60)), next);

        CLOCK.set(now.plusSeconds(120));
        run("lifecycle");

        assertThat(state(sub)).isEqualTo("active");
        assertThat(jdbc.sql("SELECT plan_id FROM subscriptions WHERE id = ?").param(sub).query(UUID.class).single())
                .isEqualTo(next);
        assertThat(jdbc.sql("SELECT used_bytes_down FROM subscriptions WHERE id = ?").param(sub).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM audit_logs WHERE actor_kind = 'system' AND action = 'subscription.next_plan'
                          AND target_id = ?""").param(sub.toString()).query(Long.class).single()).isEqualTo(1);
        assertThat(servedOn(sub)).isEqualTo(2);
    }

    @Test
    void anExhaustedSubscriptionWhoseLimitWasRaisedComesBack() {
        UUID sub = served();
        set(sub, "used_bytes_down = 1000000");
        run("lifecycle");
        assertThat(state(sub)).isEqualTo("exhausted");

        set(sub, "quota_bytes = 2000000");
        run("lifecycle");

        assertThat(state(sub)).isEqualTo("active");
        assertThat(servedOn(sub)).isEqualTo(2);
    }

    @Test
    void aSuspendedSubscriptionIsLeftAlone() {
        UUID sub = served();
        Instant now = Instant.now();
        set(sub, "state = 'suspended', expires_at = ?", Timestamp.from(now.plusSeconds(60)));

        CLOCK.set(now.plusSeconds(120));
        run("lifecycle");

        assertThat(state(sub)).isEqualTo("suspended");
    }
}

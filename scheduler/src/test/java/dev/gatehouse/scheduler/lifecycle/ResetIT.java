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

/** Data-limit resets on the tenant's calendar: across daylight saving, once per period, after clock jumps. */
class ResetIT extends SchedulerIT {

    @Autowired
    DesiredState desired;

    private UUID tenant;
    private UUID node;
    private UUID sub;

    @BeforeEach
    void layout() {
        tenant = fixtures().tenant();
        jdbc.sql("UPDATE tenants SET time_zone = 'Europe/Berlin' WHERE id = ?").param(tenant).update();
        node = fixtures().node(tenant);
        UUID plan = fixtures().plan(tenant, 1_000L);
        sub = fixtures().subscription(tenant, fixtures().person(tenant), plan, List.of(node));
        jdbc.sql("""
                        UPDATE subscriptions SET reset_strategy = 'day', used_bytes_down = 400, lifetime_bytes_down = 900
                        WHERE id = ?""").param(sub).update();
    }

    private void lastReset(Instant at) {
        jdbc.sql("UPDATE subscriptions SET last_reset_at = ? WHERE id = ?").params(Timestamp.from(at), sub).update();
    }

    private Instant nextReset() {
        return jdbc.sql("SELECT next_reset_at FROM subscriptions WHERE id = ?").param(sub).query(Timestamp.class)
                .single().toInstant();
    }

    private long used() {
        return jdbc.sql("SELECT used_bytes_down FROM subscriptions WHERE id = ?").param(sub).query(Long.class).single();
    }

    @Test
    void aDailyResetFollowsLocalMidnightAcrossTheSpringChange() {
        // 29 March 2026, Berlin: clocks go from 02:00 CET to 03:00 CEST, a day of 23 hours.
        lastReset(Instant.parse("2026-03-28T23:00:00Z")); // 00:00 CET on the 29th
        assertThat(nextReset()).isEqualTo(Instant.parse("2026-03-29T22:00:00Z")); // 00:00 CEST on the 30th

        CLOCK.set(Instant.parse("2026-03-29T21:59:59Z"));
        run("resets");
        assertThat(used()).isEqualTo(400);

        CLOCK.set(Instant.parse("2026-03-29T22:00:00Z"));
        run("resets");
        assertThat(used()).isZero();
        assertThat(jdbc.sql("SELECT lifetime_bytes_down FROM subscriptions WHERE id = ?").param(sub)
                .query(Long.class).single()).isEqualTo(900);
        assertThat(nextReset()).isEqualTo(Instant.parse("2026-03-30T22:00:00Z"));
    }

    @Test
    void theAutumnChangeMakesADayOfTwentyFiveHoursAndMonthsStartOnTheFirst() {
        lastReset(Instant.parse("2026-10-24T22:00:00Z")); // 00:00 CEST on the 25th
        assertThat(nextReset()).isEqualTo(Instant.parse("2026-10-25T23:00:00Z")); // 00:00 CET on the 26th

        jdbc.sql("UPDATE subscriptions SET reset_strategy = 'month' WHERE id = ?").param(sub).update();
        assertThat(nextReset()).isEqualTo(Instant.parse("2026-10-31T23:00:00Z")); // 00:00 CET on 1 November
        jdbc.sql("UPDATE subscriptions SET reset_strategy = 'week' WHERE id = ?").param(sub).update();
        assertThat(nextReset()).isEqualTo(Instant.parse("2026-10-25T23:00:00Z")); // Monday the 26th
    }

    @Test
    void aPeriodIsResetOnceHoweverOftenTheJobRunsAndOnceAfterDaysWithoutARun() {
        Instant start = Instant.parse("2030-01-10T11:00:00Z");
        lastReset(start);

        CLOCK.set(start.plus(Duration.ofDays(5)));
        run("resets");
        assertThat(used()).isZero();
        jdbc.sql("UPDATE subscriptions SET used_bytes_down = 50 WHERE id = ?").param(sub).update();
        run("resets");
        assertThat(used()).isEqualTo(50);
        assertThat(nextReset()).isEqualTo(Instant.parse("2030-01-15T23:00:00Z"));

        // The clock jumps back a day: nothing is reset again, nothing undone.
        CLOCK.set(start.plus(Duration.ofDays(4)));
        run("resets");
        assertThat(used()).isEqualTo(50);
    }

    @Test
    void anExhaustedSubscriptionComesBackWhenItsPeriodIsReset() {
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
        jdbc.sql("UPDATE subscriptions SET used_bytes_down = 1000, state = 'exhausted' WHERE id = ?").param(sub)
                .update();
        tx.executeWithoutResult(s -> desired.syncSubscriptions(List.of(sub)));
        Instant start = Instant.now().minus(Duration.ofDays(2));
        lastReset(start);

        run("resets");

        assertThat(jdbc.sql("SELECT state FROM subscriptions WHERE id = ?").param(sub).query(String.class).single())
                .isEqualTo("active");
        assertThat(jdbc.sql("SELECT count(*) FROM node_served WHERE subscription_id = ?").param(sub)
                .query(Long.class).single()).isEqualTo(2);
    }
}

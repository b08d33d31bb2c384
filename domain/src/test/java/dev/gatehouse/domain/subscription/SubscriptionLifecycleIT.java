package dev.gatehouse.domain.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Lifecycle decisions applied to stored subscriptions. */
class SubscriptionLifecycleIT extends DomainIT {

    @Autowired
    SubscriptionLifecycle lifecycle;
    @Autowired
    UsageLedger ledger;

    @Test
    void crossingTheQuotaRollsOntoTheNextPlanWithItsEnginesCredentialsAndAFreshPeriod() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID next = jdbc.sql("""
                        INSERT INTO plans (tenant_id, name, quota_bytes, duration_days, engines)
                        VALUES (?, 'next', 5000, 30, '{xray,wireguard}') RETURNING id""")
                .param(tenant).query(UUID.class).single();
        UUID plan = f.plan(tenant, 1000L);
        jdbc.sql("UPDATE plans SET engines = '{xray}', next_plan_id = ? WHERE id = ?").params(next, plan).update();
        UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of(node));
        jdbc.sql("DELETE FROM engine_credentials WHERE subscription_id = ? AND engine = 'wireguard'").param(sub).update();
        jdbc.sql("UPDATE subscriptions SET next_plan_id = ? WHERE id = ?").params(next, sub).update();

        var outcome = tx.execute(s -> {
            ledger.add(List.of(new UsageLedger.Usage(sub, node, 600, 400)));
            return lifecycle.settle(sub, null).orElseThrow();
        });
        assertThat(outcome.rolledOver()).isTrue();
        assertThat(outcome.fromPlan()).isEqualTo(plan);
        assertThat(outcome.toPlan()).isEqualTo(next);
        Map<String, Object> row = jdbc.sql("""
                        SELECT state, plan_id, quota_bytes, used_bytes_up + used_bytes_down AS used,
                               lifetime_bytes_up + lifetime_bytes_down AS lifetime, expires_at IS NOT NULL AS expires,
                               array_to_string(engines, ',') AS engines
                        FROM subscriptions WHERE id = ?""").param(sub).query().singleRow();
        assertThat(row).containsEntry("state", "active").containsEntry("plan_id", next)
                .containsEntry("quota_bytes", 5000L).containsEntry("used", 0L).containsEntry("lifetime", 1000L)
                .containsEntry("expires", true).containsEntry("engines", "xray,wireguard");
        assertThat(jdbc.sql("SELECT count(*) FROM engine_credentials WHERE subscription_id = ? AND status = 'active'")
                .param(sub).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void theFirstTrafficOfAnOnHoldSubscriptionStartsItsClock() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID node = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        jdbc.sql("UPDATE plans SET duration_days = 10, start_on_first_use = true, on_hold_days = 5 WHERE id = ?")
                .param(plan).update();
        UUID sub = f.subscription(tenant, f.person(tenant), plan, List.of(node));
        jdbc.sql("""
                        UPDATE subscriptions SET state = 'on_hold', starts_at = NULL,
                               on_hold_deadline = now() + interval '5 days' WHERE id = ?""").param(sub).update();

        var outcome = tx.execute(s -> lifecycle.used(sub).orElseThrow());
        assertThat(outcome.decision().changes()).isFalse();
        Map<String, Object> row = jdbc.sql("""
                        SELECT state, starts_at IS NOT NULL AS started, on_hold_deadline IS NULL AS no_deadline,
                               round(extract(epoch FROM expires_at - starts_at) / 86400) AS days
                        FROM subscriptions WHERE id = ?""").param(sub).query().singleRow();
        assertThat(row).containsEntry("state", "active").containsEntry("started", true)
                .containsEntry("no_deadline", true);
        assertThat(((Number) row.get("days")).intValue()).isEqualTo(10);
    }
}

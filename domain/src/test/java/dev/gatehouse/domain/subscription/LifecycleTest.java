package dev.gatehouse.domain.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.subscription.Lifecycle.Action;
import dev.gatehouse.domain.subscription.Lifecycle.Decision;
import dev.gatehouse.domain.subscription.Lifecycle.Terms;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant START = NOW.minus(Duration.ofDays(3));
    private static final UUID NEXT = UUID.randomUUID();

    private static Terms active(Long quota, long used, Instant expires, UUID next) {
        return new Terms(SubscriptionState.ACTIVE, START, expires, null, quota, used, next);
    }

    @Test
    void aLiveSubscriptionWithinItsTermsStaysAsItIs() {
        assertThat(Lifecycle.settle(active(1000L, 999, NOW.plusSeconds(1), null), NOW, null).action())
                .isEqualTo(Action.NONE);
    }

    @Test
    void reachingTheQuotaExhausts() {
        Decision d = Lifecycle.settle(active(1000L, 1000, null, null), NOW, null);
        assertThat(d.action()).isEqualTo(Action.SET_STATE);
        assertThat(d.state()).isEqualTo(SubscriptionState.EXHAUSTED);
        assertThat(d.reason()).isEqualTo("data limit reached");
    }

    @Test
    void expiryComesBeforeQuotaAndIsInclusiveOfTheInstant() {
        Decision d = Lifecycle.settle(active(10L, 50, NOW, null), NOW, null);
        assertThat(d.state()).isEqualTo(SubscriptionState.EXPIRED);
    }

    @Test
    void anEndedSubscriptionWithANextPlanRollsOverIntoAnActiveOne() {
        Decision d = Lifecycle.settle(active(10L, 10, null, NEXT), NOW, null);
        assertThat(d.action()).isEqualTo(Action.ROLL_OVER);
        assertThat(d.state()).isEqualTo(SubscriptionState.ACTIVE);
        assertThat(d.reason()).contains("data limit reached").contains("next plan");
    }

    @Test
    void raisingTheQuotaOfAnExhaustedSubscriptionMakesItActiveAgain() {
        Terms exhausted = new Terms(SubscriptionState.EXHAUSTED, START, null, null, 2000L, 1000, null);
        assertThat(Lifecycle.settle(exhausted, NOW, null).state()).isEqualTo(SubscriptionState.ACTIVE);
    }

    @Test
    void suspendedAndDisabledStayUnlessAnAdministratorLiftsThem() {
        Terms suspended = new Terms(SubscriptionState.SUSPENDED, START, null, null, null, 0, null);
        assertThat(Lifecycle.settle(suspended, NOW, null).action()).isEqualTo(Action.NONE);
        Decision lifted = Lifecycle.settle(suspended, NOW, "resumed");
        assertThat(lifted.state()).isEqualTo(SubscriptionState.ACTIVE);
        assertThat(lifted.reason()).isEqualTo("resumed");
        Terms disabledAndOver = new Terms(SubscriptionState.DISABLED, START, null, null, 5L, 9, null);
        assertThat(Lifecycle.settle(disabledAndOver, NOW, "enabled").state()).isEqualTo(SubscriptionState.EXHAUSTED);
    }

    @Test
    void onHoldWaitsForFirstUseUntilItsDeadline() {
        Terms onHold = new Terms(SubscriptionState.ON_HOLD, null, null, NOW.plusSeconds(60), 100L, 0, null);
        assertThat(Lifecycle.settle(onHold, NOW, null).action()).isEqualTo(Action.NONE);
        assertThat(Lifecycle.firstUse(onHold).action()).isEqualTo(Action.ACTIVATE);
        assertThat(Lifecycle.firstUse(active(null, 0, null, null)).action()).isEqualTo(Action.NONE);
        Decision missed = Lifecycle.settle(onHold, NOW.plusSeconds(60), null);
        assertThat(missed.state()).isEqualTo(SubscriptionState.EXPIRED);
        assertThat(missed.reason()).startsWith("not used before");
    }
}

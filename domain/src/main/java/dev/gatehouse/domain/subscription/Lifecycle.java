package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.model.SubscriptionState;
import java.time.Instant;
import java.util.UUID;

/**
 * The subscription lifecycle as a pure function of a subscription's terms, its usage and the clock.
 * control-api's endpoints, the collector's quota fast path and the scheduler's sweeps all decide
 * with it, so a subscription ends, rolls over or comes back by the same rule wherever it is seen.
 */
public final class Lifecycle {

    private Lifecycle() {
    }

    /** What the lifecycle needs to know of a subscription. {@code usedBytes} is the period's billed usage. */
    public record Terms(SubscriptionState state, Instant startsAt, Instant expiresAt, Instant onHoldDeadline,
                        Long quotaBytes, long usedBytes, UUID nextPlanId) {
    }

    /** What to do with a subscription. */
    public enum Action {
        /** Nothing changes. */
        NONE,
        /** Move to {@link Decision#state()}. */
        SET_STATE,
        /** Its terms ended and it has a next plan: move onto that plan and start afresh (active). */
        ROLL_OVER,
        /** Its first use: start the clock (starts_at now, expiry from the plan), then settle again. */
        ACTIVATE
    }

    public record Decision(Action action, SubscriptionState state, String reason) {
        static final Decision NONE = new Decision(Action.NONE, null, null);

        public boolean changes() {
            return action != Action.NONE;
        }
    }

    /**
     * Puts a subscription into the state its dates and usage call for: expired past its expiry or an
     * unused on-hold deadline, exhausted at its quota, on hold before first use, active otherwise. An
     * ended subscription with a next plan rolls over. Suspended and disabled ones stay as they are
     * unless {@code liftReason} says an administrator is lifting that (resume, enable).
     */
    public static Decision settle(Terms t, Instant now, String liftReason) {
        if (liftReason == null && !t.state().live() && !t.state().ended()) {
            return Decision.NONE;
        }
        SubscriptionState next;
        String why;
        if (t.expiresAt() != null && !t.expiresAt().isAfter(now)) {
            next = SubscriptionState.EXPIRED;
            why = "expired at " + t.expiresAt();
        } else if (t.startsAt() == null && t.onHoldDeadline() != null && !t.onHoldDeadline().isAfter(now)) {
            next = SubscriptionState.EXPIRED;
            why = "not used before " + t.onHoldDeadline();
        } else if (t.quotaBytes() != null && t.usedBytes() >= t.quotaBytes()) {
            next = SubscriptionState.EXHAUSTED;
            why = "data limit reached";
        } else if (t.startsAt() == null) {
            next = SubscriptionState.ON_HOLD;
            why = liftReason == null ? "waiting for first use" : liftReason;
        } else {
            next = SubscriptionState.ACTIVE;
            why = liftReason;
        }
        if (next.ended() && t.nextPlanId() != null) {
            return new Decision(Action.ROLL_OVER, SubscriptionState.ACTIVE, why + "; moved to the next plan");
        }
        if (next != t.state() || liftReason != null) {
            return new Decision(Action.SET_STATE, next, why);
        }
        return Decision.NONE;
    }

    /** Traffic was counted: an on-hold subscription starts its clock. */
    public static Decision firstUse(Terms t) {
        if (t.state() == SubscriptionState.ON_HOLD && t.startsAt() == null) {
            return new Decision(Action.ACTIVATE, SubscriptionState.ACTIVE, "first use");
        }
        return Decision.NONE;
    }
}

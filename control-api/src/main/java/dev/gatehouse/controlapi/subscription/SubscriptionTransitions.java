package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * An administrator's state changes of one subscription (suspend, resume, disable, enable, activate,
 * reset usage). Whether a subscription is active, on hold, exhausted, expired or rolls over is the
 * domain lifecycle's decision; this service applies it and syncs the nodes.
 */
@Service
class SubscriptionTransitions {

    /** The transitions an administrator can ask for. */
    enum Action {
        SUSPEND, RESUME, DISABLE, ENABLE, ACTIVATE;

        static Action parse(String path) {
            return switch (path) {
                case "suspend" -> SUSPEND;
                case "resume" -> RESUME;
                case "disable" -> DISABLE;
                case "enable" -> ENABLE;
                case "activate" -> ACTIVATE;
                default -> throw ApiException.notFound("action");
            };
        }

        String auditName() {
            return "subscription." + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Set<SubscriptionState> SUSPENDABLE = EnumSet.of(SubscriptionState.ACTIVE,
            SubscriptionState.ON_HOLD, SubscriptionState.EXHAUSTED, SubscriptionState.EXPIRED);

    private final SubscriptionGuard guard;
    private final SubscriptionRepository subscriptions;
    private final SubscriptionLifecycle lifecycle;
    private final DesiredState desired;
    private final AuditLog audit;
    private final Clock clock;

    SubscriptionTransitions(SubscriptionGuard guard, SubscriptionRepository subscriptions,
                            SubscriptionLifecycle lifecycle, DesiredState desired, AuditLog audit, Clock clock) {
        this.guard = guard;
        this.subscriptions = subscriptions;
        this.lifecycle = lifecycle;
        this.desired = desired;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse transition(UUID id, String action, String reason) {
        Action parsed = Action.parse(action);
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.UPDATE);
        apply(before, parsed, reason);
        desired.syncSubscriptions(List.of(id));
        return guard.finish(before, parsed.auditName());
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse resetUsage(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.UPDATE);
        subscriptions.resetUsage(id, clock.instant());
        settle(id, null);
        desired.syncSubscriptions(List.of(id));
        return guard.finish(before, "subscription.reset_usage");
    }

    /** Applies a transition to a locked subscription; the caller syncs the nodes. */
    @Transactional(propagation = Propagation.MANDATORY)
    void apply(SubscriptionDtos.SubscriptionResponse s, Action action, String reason) {
        SubscriptionState state = s.state();
        switch (action) {
            case SUSPEND -> {
                require(state, action, SUSPENDABLE);
                lifecycle.setState(s.id(), SubscriptionState.SUSPENDED,
                        reason == null ? "suspended by an administrator" : reason);
            }
            case RESUME -> {
                require(state, action, EnumSet.of(SubscriptionState.SUSPENDED));
                settle(s.id(), "resumed");
            }
            case DISABLE -> {
                require(state, action, EnumSet.complementOf(EnumSet.of(SubscriptionState.DISABLED)));
                lifecycle.setState(s.id(), SubscriptionState.DISABLED, reason == null ? "disabled" : reason);
            }
            case ENABLE -> {
                require(state, action, EnumSet.of(SubscriptionState.DISABLED));
                settle(s.id(), "enabled");
            }
            case ACTIVATE -> {
                require(state, action, EnumSet.of(SubscriptionState.ON_HOLD));
                lifecycle.activate(s.id(), s.planId(), reason == null ? "activated" : reason);
            }
        }
    }

    /** Settles the subscription by the domain lifecycle and audits a move onto the next plan. */
    @Transactional(propagation = Propagation.MANDATORY)
    void settle(UUID id, String liftReason) {
        lifecycle.settle(id, liftReason).filter(SubscriptionLifecycle.Outcome::rolledOver).ifPresent(o ->
                audit.record(o.tenantId(), "subscription.next_plan", "subscription", id,
                        Map.of("plan_id", o.fromPlan()), Map.of("plan_id", o.toPlan())));
    }

    private static void require(SubscriptionState state, Action action, Set<SubscriptionState> from) {
        if (!from.contains(state)) {
            throw ApiException.conflict("cannot " + action.name().toLowerCase(java.util.Locale.ROOT)
                    + " a subscription that is " + state.db());
        }
    }
}

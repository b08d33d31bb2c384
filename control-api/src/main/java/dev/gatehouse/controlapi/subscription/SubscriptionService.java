package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.engine.Engines;
import dev.gatehouse.controlapi.node.NodeAssigner;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.Credentials;
import dev.gatehouse.domain.subscription.PlanTerms;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Subscriptions as records: a person's right to use a plan's engines on assigned nodes. Every change
 * that alters what a node serves syncs the nodes in the same transaction.
 */
@Service
class SubscriptionService {

    private static final Map<String, String> SORTS = Map.of("created_at", "s.created_at", "expires_at", "s.expires_at",
            "state", "s.state", "used_bytes", "(s.used_bytes_up + s.used_bytes_down)");

    private final SubscriptionRepository subscriptions;
    private final SubscriptionGuard guard;
    private final SubscriptionTransitions transitions;
    private final SubscriptionTokens tokens;
    private final SubscriptionLifecycle lifecycle;
    private final Credentials credentials;
    private final NodeAssigner assigner;
    private final DesiredState desired;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Clock clock;

    SubscriptionService(SubscriptionRepository subscriptions, SubscriptionGuard guard,
                        SubscriptionTransitions transitions, SubscriptionTokens tokens, SubscriptionLifecycle lifecycle,
                        Credentials credentials, NodeAssigner assigner, DesiredState desired, AccessPolicy access,
                        AuditLog audit, Clock clock) {
        this.subscriptions = subscriptions;
        this.guard = guard;
        this.transitions = transitions;
        this.tokens = tokens;
        this.lifecycle = lifecycle;
        this.credentials = credentials;
        this.assigner = assigner;
        this.desired = desired;
        this.access = access;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    Page<SubscriptionDtos.SubscriptionResponse> list(SubscriptionRepository.Filter filter, String sort,
                                                     PageRequest page) {
        access.checkTenantFilter(Module.SUBSCRIPTIONS, filter.tenant());
        String orderBy = SortOrder.orderBy(sort, SORTS, "-created_at");
        AccessPolicy.TenantFilter tenants = access.filter(Module.SUBSCRIPTIONS);
        return new Page<>(subscriptions.list(tenants, filter, orderBy, page.limit(), page.offset()),
                subscriptions.count(tenants, filter), page);
    }

    @Transactional(readOnly = true)
    SubscriptionDtos.SubscriptionResponse get(UUID id) {
        return guard.visible(id, Operation.READ);
    }

    @Transactional
    SubscriptionDtos.SubscriptionCreated create(SubscriptionDtos.SubscriptionCreateRequest request) {
        UUID tenantId = subscriptions.tenantOfUser(request.userId()).flatMap(t -> t)
                .orElseThrow(() -> ApiException.notFound("user"));
        access.check(Module.SUBSCRIPTIONS, Operation.CREATE, tenantId, null, "user");
        Created created = createFor(tenantId, request);
        desired.syncSubscriptions(List.of(created.id()));
        return created.response(subscriptions, audit, tenantId);
    }

    /** A subscription just made, before its nodes are synced; its token is shown once. */
    record Created(UUID id, String token) {
        SubscriptionDtos.SubscriptionCreated response(SubscriptionRepository subscriptions, AuditLog audit,
                                                      UUID tenantId) {
            SubscriptionDtos.SubscriptionResponse made = subscriptions.find(id).orElseThrow();
            audit.record(tenantId, "subscription.create", "subscription", id, null, made);
            return new SubscriptionDtos.SubscriptionCreated(made, token);
        }
    }

    /**
     * Makes the subscription, its credentials and its assignment; the caller syncs the nodes (once
     * for a whole bulk request) and then builds the response.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Created createFor(UUID tenantId, SubscriptionDtos.SubscriptionCreateRequest request) {
        PlanTerms plan = lifecycle.plan(request.planId()).filter(p -> p.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiException.notFound("plan"));
        List<Engine> engines = request.engines() == null ? plan.engines()
                : Engine.fromDbArray(Engines.parse("engines", request.engines()).toArray(String[]::new));
        requireWithinPlan(plan, engines);
        Instant now = clock.instant();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw ApiException.invalid("expires_at", "must be in the future");
        }
        boolean onHold = plan.startOnFirstUse();
        Instant expiresAt = request.expiresAt() != null ? request.expiresAt() : onHold ? null : plan.expiryFrom(now);
        Instant deadline = onHold ? now.plus(Duration.ofDays(plan.onHoldDays())) : null;
        String strategy = request.strategy() == null ? "round_robin" : request.strategy();
        List<String> tags = normalisedTags(request.tags());
        int redundancy = request.redundancy() == null ? 0 : request.redundancy();
        String token = SubscriptionTokens.generate();

        UUID id = subscriptions.insert(tenantId, request.userId(), plan.id(),
                onHold ? SubscriptionState.ON_HOLD : SubscriptionState.ACTIVE, engines,
                request.quotaBytes() != null ? request.quotaBytes() : plan.quotaBytes(), plan.resetStrategy().db(),
                onHold ? null : now, expiresAt, deadline, plan.nextPlanId(), strategy, tags, redundancy,
                OpaqueToken.hash(token));
        tokens.keep(id, token);
        credentials.ensure(id);
        assigner.assign(tenantId, id, strategy, tags, redundancy, request.nodeIds(), Engine.dbArray(engines));
        return new Created(id, token);
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse update(UUID id, SubscriptionDtos.SubscriptionUpdateRequest request) {
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.UPDATE);
        List<Engine> engines = null;
        if (request.engines() != null) {
            engines = Engine.fromDbArray(Engines.parse("engines", request.engines()).toArray(String[]::new));
            requireWithinPlan(lifecycle.plan(before.planId()).orElseThrow(), engines);
        }
        if (request.expiresAt() != null && !request.expiresAt().isAfter(clock.instant())) {
            throw ApiException.invalid("expires_at", "must be in the future");
        }
        if (request.nextPlanId() != null) {
            lifecycle.plan(request.nextPlanId()).filter(p -> p.tenantId().equals(before.tenantId()))
                    .orElseThrow(() -> ApiException.notFound("next plan"));
        }
        subscriptions.update(id, request.quotaBytes(), Boolean.TRUE.equals(request.quotaUnlimited()),
                request.expiresAt(), Boolean.TRUE.equals(request.neverExpires()), engines, request.nextPlanId());
        if (engines != null) {
            credentials.ensure(id);
        }
        transitions.settle(id, null);
        desired.syncSubscriptions(List.of(id));
        return guard.finish(before, "subscription.update");
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse reassign(UUID id, SubscriptionDtos.ReassignRequest request) {
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.UPDATE);
        String strategy = request.strategy() == null ? before.strategy() : request.strategy();
        List<String> tags = request.tags() == null ? before.tags() : normalisedTags(request.tags());
        int redundancy = request.redundancy() == null ? before.redundancy() : request.redundancy();
        assigner.unassign(id);
        subscriptions.setAssignment(id, strategy, tags, redundancy);
        assigner.assign(before.tenantId(), id, strategy, tags, redundancy, request.nodeIds(),
                before.engines().toArray(String[]::new));
        desired.syncSubscriptions(List.of(id));
        return guard.finish(before, "subscription.reassign");
    }

    @Transactional
    void delete(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = guard.locked(id, Operation.DELETE);
        assigner.unassign(id);
        subscriptions.delete(id);
        desired.syncSubscriptions(List.of(id));
        audit.record(before.tenantId(), "subscription.delete", "subscription", id, before, null);
    }

    private static void requireWithinPlan(PlanTerms plan, List<Engine> engines) {
        if (!new HashSet<>(plan.engines()).containsAll(engines)) {
            throw ApiException.invalid("engines", "must be among the plan's engines "
                    + List.of(Engine.dbArray(plan.engines())));
        }
    }

    static List<String> normalisedTags(List<String> tags) {
        return tags == null ? List.of() : tags.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).distinct()
                .sorted().toList();
    }
}

package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.engine.Engines;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeAssigner;
import dev.gatehouse.domain.subscription.Credentials;
import dev.gatehouse.domain.subscription.PlanTerms;
import dev.gatehouse.domain.subscription.SubscriptionLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Subscriptions as records: a person's right to use a plan's engines on assigned nodes. Every change
 * that alters what a node serves syncs the nodes in the same transaction.
 */
@Service
class SubscriptionService {

    private static final Map<String, SortOrder.Field> SORTS = Map.of("created_at", SortOrder.Field.of("createdAt"),
            "expires_at", SortOrder.Field.of("expiresAt"), "state", SortOrder.Field.of("state"),
            "used_bytes", SortOrder.Field.of("usedBytes"));

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
        Sort order = SortOrder.sort(sort, SORTS, "-created_at");
        return subscriptions.list(access.filter(Module.SUBSCRIPTIONS), filter, order, page);
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
        List<SubscriptionDtos.SubscriptionCreated> made = createAll(tenantId, request, List.of(request.userId()));
        return made.get(0);
    }

    /**
     * Subscribes each person to the same terms: subscriptions, credentials, assignments and audit
     * entries are each written in one statement for all of them, and the nodes are synced once, so
     * a bulk request costs a handful of statements, not a handful per person. Tokens are shown once.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    List<SubscriptionDtos.SubscriptionCreated> createAll(UUID tenantId, SubscriptionDtos.SubscriptionCreateRequest request,
                                                         List<UUID> userIds) {
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
        AssignmentStrategy strategy = request.strategy() == null ? AssignmentStrategy.ROUND_ROBIN
                : request.strategy();
        SubscriptionRepository.Terms terms = new SubscriptionRepository.Terms(tenantId, plan.id(),
                onHold ? SubscriptionState.ON_HOLD : SubscriptionState.ACTIVE, engines,
                request.quotaBytes() != null ? request.quotaBytes() : plan.quotaBytes(), plan.resetStrategy(),
                onHold ? null : now,
                request.expiresAt() != null ? request.expiresAt() : onHold ? null : plan.expiryFrom(now),
                onHold ? now.plus(Duration.ofDays(plan.onHoldDays())) : null, plan.nextPlanId(), strategy,
                normalisedTags(request.tags()), request.redundancy() == null ? 0 : request.redundancy());

        List<SubscriptionRepository.NewSubscription> rows = new ArrayList<>();
        List<String> tokenTexts = new ArrayList<>();
        for (UUID userId : userIds) {
            UUID id = UUID.randomUUID();
            String token = SubscriptionTokens.generate();
            tokenTexts.add(token);
            rows.add(new SubscriptionRepository.NewSubscription(id, userId, OpaqueToken.hash(token),
                    tokens.seal(id, token)));
        }
        subscriptions.insertAll(terms, rows);
        List<UUID> ids = rows.stream().map(SubscriptionRepository.NewSubscription::id).toList();
        credentials.ensureAll(ids);
        assigner.assignAll(tenantId, ids, strategy, terms.tags(), terms.redundancy(), request.nodeIds(),
                Engine.dbArray(engines));
        desired.syncSubscriptions(ids);
        List<SubscriptionDtos.SubscriptionResponse> made = subscriptions.findAll(ids);
        audit.recordAll(tenantId, "subscription.create", "subscription",
                made.stream().map(m -> new AuditLog.Entry(m.id(), null, m)).toList());
        List<SubscriptionDtos.SubscriptionCreated> created = new ArrayList<>();
        for (int i = 0; i < made.size(); i++) {
            created.add(new SubscriptionDtos.SubscriptionCreated(made.get(i), tokenTexts.get(i)));
        }
        return created;
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
        AssignmentStrategy strategy = request.strategy() == null ? before.strategy() : request.strategy();
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

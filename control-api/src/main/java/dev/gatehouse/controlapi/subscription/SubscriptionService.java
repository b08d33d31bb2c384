package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.auth.OpaqueToken;
import dev.gatehouse.controlapi.engine.Engines;
import dev.gatehouse.controlapi.node.DesiredState;
import dev.gatehouse.controlapi.node.NodeAssigner;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Subscriptions: a person's right to use a plan's engines on assigned nodes. Every change that
 * alters what a node serves syncs that node's desired state in the same transaction.
 */
@Service
class SubscriptionService {

    private static final Map<String, String> SORTS = Map.of("created_at", "s.created_at", "expires_at", "s.expires_at",
            "state", "s.state", "used_bytes", "(s.used_bytes_up + s.used_bytes_down)");
    private static final Set<String> LIVE = Set.of("active", "on_hold");

    private final SubscriptionRepository subscriptions;
    private final EngineCredentials credentials;
    private final NodeAssigner assigner;
    private final DesiredState desired;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Clock clock;
    private final TokenVault vault;

    SubscriptionService(SubscriptionRepository subscriptions, EngineCredentials credentials, NodeAssigner assigner,
                        DesiredState desired, AccessPolicy access, AuditLog audit, Clock clock, TokenVault vault) {
        this.vault = vault;
        this.subscriptions = subscriptions;
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
        return visible(id, Operation.READ);
    }

    @Transactional
    SubscriptionDtos.SubscriptionCreated create(SubscriptionDtos.SubscriptionCreateRequest request) {
        UUID tenantId = subscriptions.tenantOfUser(request.userId()).flatMap(t -> t)
                .orElseThrow(() -> ApiException.notFound("user"));
        access.check(Module.SUBSCRIPTIONS, Operation.CREATE, tenantId, null, "user");
        return createFor(tenantId, request);
    }

    /**
     * Bulk creation from a template: every user and subscription, or none. A taken username makes
     * the whole request a 409; each user and subscription gets its own audit entry.
     */
    @Transactional
    List<SubscriptionDtos.BulkUserCreated> bulkCreateUsers(SubscriptionDtos.BulkUsersRequest request) {
        access.check(Module.USERS, Operation.CREATE, request.tenantId(), null, "tenant");
        access.check(Module.SUBSCRIPTIONS, Operation.CREATE, request.tenantId(), null, "tenant");
        List<String> names = new ArrayList<>();
        for (String raw : request.usernames()) {
            String name = dev.gatehouse.controlapi.auth.Credentials.username("usernames", raw);
            if (names.contains(name) || subscriptions.usernameTaken(request.tenantId(), name)) {
                throw ApiException.conflict("the username '" + name + "' is taken in this tenant");
            }
            names.add(name);
        }
        SubscriptionDtos.SubscriptionTemplate t = request.template();
        List<SubscriptionDtos.BulkUserCreated> created = new ArrayList<>();
        for (String name : names) {
            UUID userId = subscriptions.insertUser(request.tenantId(), name);
            audit.record(request.tenantId(), "user.create", "user", userId, null, Map.of("username", name));
            SubscriptionDtos.SubscriptionCreated sub = createFor(request.tenantId(),
                    new SubscriptionDtos.SubscriptionCreateRequest(userId, t.planId(), t.engines(), t.quotaBytes(),
                            t.expiresAt(), t.strategy(), t.tags(), t.redundancy(), t.nodeIds()));
            created.add(new SubscriptionDtos.BulkUserCreated(userId, name, sub.subscription(),
                    sub.subscriptionToken()));
        }
        return created;
    }

    private SubscriptionDtos.SubscriptionCreated createFor(UUID tenantId,
                                                           SubscriptionDtos.SubscriptionCreateRequest request) {
        SubscriptionRepository.PlanTerms plan = subscriptions.planTerms(request.planId())
                .filter(p -> p.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiException.notFound("plan"));
        List<String> engines = request.engines() == null ? plan.engines()
                : Engines.parse("engines", request.engines());
        if (!plan.engines().containsAll(engines)) {
            throw ApiException.invalid("engines", "must be among the plan's engines " + plan.engines());
        }
        Instant now = clock.instant();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw ApiException.invalid("expires_at", "must be in the future");
        }
        boolean onHold = plan.startOnFirstUse();
        Instant startsAt = onHold ? null : now;
        Instant expiresAt = request.expiresAt() != null ? request.expiresAt()
                : onHold || plan.durationDays() == null ? null : now.plus(Duration.ofDays(plan.durationDays()));
        Instant deadline = onHold ? now.plus(Duration.ofDays(plan.onHoldDays())) : null;
        String strategy = request.strategy() == null ? "round_robin" : request.strategy();
        List<String> tags = normalisedTags(request.tags());
        int redundancy = request.redundancy() == null ? 0 : request.redundancy();
        String token = OpaqueToken.SUBSCRIPTION.generate();

        UUID id = subscriptions.insert(tenantId, request.userId(), plan.id(), onHold ? "on_hold" : "active", engines,
                request.quotaBytes() != null ? request.quotaBytes() : plan.quotaBytes(), plan.resetStrategy(),
                startsAt, expiresAt, deadline, plan.nextPlanId(), strategy, tags, redundancy, OpaqueToken.hash(token));
        if (vault.enabled()) {
            // The insert stored the hash; the sealed copy needs the id as associated data.
            subscriptions.setToken(id, OpaqueToken.hash(token), vault.seal(token, id.toString()));
        }
        credentials.create(tenantId, id);
        List<UUID> nodes = assigner.assign(tenantId, id, strategy, tags, redundancy, request.nodeIds(), engines);
        desired.sync(nodes);
        SubscriptionDtos.SubscriptionResponse created = subscriptions.find(id).orElseThrow();
        audit.record(tenantId, "subscription.create", "subscription", id, null, created);
        return new SubscriptionDtos.SubscriptionCreated(created, token);
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse update(UUID id, SubscriptionDtos.SubscriptionUpdateRequest request) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.UPDATE);
        List<String> engines = null;
        if (request.engines() != null) {
            engines = Engines.parse("engines", request.engines());
            List<String> planEngines = subscriptions.planTerms(before.planId()).orElseThrow().engines();
            if (!planEngines.containsAll(engines)) {
                throw ApiException.invalid("engines", "must be among the plan's engines " + planEngines);
            }
        }
        if (request.expiresAt() != null && !request.expiresAt().isAfter(clock.instant())) {
            throw ApiException.invalid("expires_at", "must be in the future");
        }
        if (request.nextPlanId() != null) {
            subscriptions.planTerms(request.nextPlanId()).filter(p -> p.tenantId().equals(before.tenantId()))
                    .orElseThrow(() -> ApiException.notFound("next plan"));
        }
        subscriptions.update(id, request.quotaBytes(), Boolean.TRUE.equals(request.quotaUnlimited()),
                request.expiresAt(), Boolean.TRUE.equals(request.neverExpires()), engines, request.nextPlanId());
        settle(id, null);
        return finish(before, "subscription.update");
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse reassign(UUID id, SubscriptionDtos.ReassignRequest request) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.UPDATE);
        String strategy = request.strategy() == null ? before.strategy() : request.strategy();
        List<String> tags = request.tags() == null ? before.tags() : normalisedTags(request.tags());
        int redundancy = request.redundancy() == null ? before.redundancy() : request.redundancy();
        Set<UUID> touched = new HashSet<>(assigner.unassign(id));
        subscriptions.setAssignment(id, strategy, tags, redundancy);
        touched.addAll(assigner.assign(before.tenantId(), id, strategy, tags, redundancy, request.nodeIds(),
                before.engines()));
        desired.sync(touched);
        return finish(before, "subscription.reassign");
    }

    /** Suspend, resume, disable, enable or activate; each a recorded transition. */
    @Transactional
    SubscriptionDtos.SubscriptionResponse transition(UUID id, String action, String reason) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.UPDATE);
        applyTransition(before, action, reason);
        return finish(before, "subscription." + action);
    }

    private void applyTransition(SubscriptionDtos.SubscriptionResponse s, String action, String reason) {
        switch (action) {
            case "suspend" -> {
                requireState(s, action, Set.of("active", "on_hold", "exhausted", "expired"));
                subscriptions.setState(s.id(), "suspended", reason == null ? "suspended by an administrator" : reason);
            }
            case "resume" -> {
                requireState(s, action, Set.of("suspended"));
                settle(s.id(), "resumed");
            }
            case "disable" -> {
                requireState(s, action, Set.of("active", "on_hold", "exhausted", "expired", "suspended"));
                subscriptions.setState(s.id(), "disabled", reason == null ? "disabled" : reason);
            }
            case "enable" -> {
                requireState(s, action, Set.of("disabled"));
                settle(s.id(), "enabled");
            }
            case "activate" -> {
                requireState(s, action, Set.of("on_hold"));
                Instant now = clock.instant();
                Integer days = subscriptions.planTerms(s.planId()).map(SubscriptionRepository.PlanTerms::durationDays)
                        .orElse(null);
                subscriptions.activate(s.id(), now, s.expiresAt() != null || days == null ? null
                        : now.plus(Duration.ofDays(days)));
                subscriptions.setState(s.id(), "active", reason == null ? "activated" : reason);
            }
            default -> throw ApiException.notFound("action");
        }
        if (!Set.of("resume", "enable").contains(action)) {
            // resume and enable went through settle(), which has synced the nodes already.
            desired.sync(desired.nodesOf(s.id()));
        }
    }

    @Transactional
    SubscriptionDtos.SubscriptionResponse resetUsage(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.UPDATE);
        subscriptions.resetUsage(id, clock.instant());
        settle(id, null);
        return finish(before, "subscription.reset_usage");
    }

    /** New credentials and a new subscription token; the old ones leave every node and stop working. */
    @Transactional
    SubscriptionDtos.SubscriptionCreated revoke(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.UPDATE);
        credentials.revokeAll(id);
        credentials.create(before.tenantId(), id);
        String token = OpaqueToken.SUBSCRIPTION.generate();
        subscriptions.setToken(id, OpaqueToken.hash(token), vault.seal(token, id.toString()));
        desired.sync(desired.nodesOf(id));
        return new SubscriptionDtos.SubscriptionCreated(finish(before, "subscription.revoke"), token);
    }

    /** The subscription token, for an administrator to hand out again; 404 when none was kept. */
    @Transactional(readOnly = true)
    String token(UUID id) {
        visible(id, Operation.READ);
        if (!vault.enabled()) {
            throw ApiException.notFound("kept subscription token (set GATEHOUSE_DATA_KEY to keep them;"
                    + " revoke to make a new one)");
        }
        return vault.open(subscriptions.sealedToken(id), id.toString())
                .orElseThrow(() -> ApiException.notFound("kept subscription token (revoke to make a new one)"));
    }

    @Transactional
    void delete(UUID id) {
        SubscriptionDtos.SubscriptionResponse before = locked(id, Operation.DELETE);
        List<UUID> nodes = assigner.unassign(id);
        subscriptions.delete(id);
        desired.sync(nodes);
        audit.record(before.tenantId(), "subscription.delete", "subscription", id, before, null);
    }

    @Transactional
    SubscriptionDtos.BulkResult bulkTransition(List<UUID> ids, String action) {
        return bulk(ids, s -> applyTransition(s, action, "bulk " + action), "subscription." + action);
    }

    @Transactional
    SubscriptionDtos.BulkResult bulkExtend(List<UUID> ids, int days) {
        return bulk(ids, s -> {
            subscriptions.extend(s.id(), days);
            settle(s.id(), null);
        }, "subscription.extend");
    }

    @Transactional
    SubscriptionDtos.BulkResult bulkAddQuota(List<UUID> ids, long bytes) {
        return bulk(ids, s -> {
            subscriptions.addQuota(s.id(), bytes);
            settle(s.id(), null);
        }, "subscription.add_quota");
    }

    /**
     * One transaction for all: every id is checked first (another tenant's id is 404 and nothing is
     * written), then each object changes and gets its own audit entry.
     */
    private SubscriptionDtos.BulkResult bulk(List<UUID> ids, Consumer<SubscriptionDtos.SubscriptionResponse> change,
                                             String action) {
        List<SubscriptionDtos.SubscriptionResponse> targets = new ArrayList<>();
        for (UUID id : new LinkedHashSet<>(ids)) {
            targets.add(locked(id, Operation.UPDATE));
        }
        List<SubscriptionDtos.SubscriptionResponse> after = new ArrayList<>();
        for (SubscriptionDtos.SubscriptionResponse s : targets) {
            change.accept(s);
            after.add(finish(s, action));
        }
        return new SubscriptionDtos.BulkResult(after.size(), after);
    }

    /**
     * Puts a live, resumed or enabled subscription into the state its dates and usage call for:
     * expired past its expiry, exhausted at its quota, on hold before first use, active otherwise.
     * Suspended and disabled ones stay as they are unless {@code reason} says they are being lifted.
     */
    private void settle(UUID id, String reason) {
        SubscriptionDtos.SubscriptionResponse s = subscriptions.find(id).orElseThrow();
        if (reason == null && !LIVE.contains(s.state()) && !Set.of("exhausted", "expired").contains(s.state())) {
            return;
        }
        Instant now = clock.instant();
        String next;
        String why;
        if (s.expiresAt() != null && !s.expiresAt().isAfter(now)) {
            next = "expired";
            why = "expired at " + s.expiresAt();
        } else if (s.quotaBytes() != null && s.usedBytesUp() + s.usedBytesDown() >= s.quotaBytes()) {
            next = "exhausted";
            why = "data limit reached";
        } else if (s.startsAt() == null) {
            next = "on_hold";
            why = reason == null ? "waiting for first use" : reason;
        } else {
            next = "active";
            why = reason;
        }
        if (Set.of("expired", "exhausted").contains(next) && s.nextPlanId() != null) {
            rollOver(s, now, why);
        } else if (!next.equals(s.state()) || reason != null) {
            subscriptions.setState(id, next, why);
        }
        desired.sync(desired.nodesOf(id));
    }

    /** An exhausted or expired subscription with a next plan moves onto it and starts afresh. */
    private void rollOver(SubscriptionDtos.SubscriptionResponse s, Instant now, String why) {
        SubscriptionRepository.PlanTerms next = subscriptions.planTerms(s.nextPlanId()).orElse(null);
        if (next == null) {
            subscriptions.setState(s.id(), "expired", why);
            return;
        }
        subscriptions.moveToPlan(s.id(), next, now,
                next.durationDays() == null ? null : now.plus(Duration.ofDays(next.durationDays())));
        subscriptions.setState(s.id(), "active", why + "; moved to the next plan");
        audit.record(s.tenantId(), "subscription.next_plan", "subscription", s.id(),
                Map.of("plan_id", s.planId()), Map.of("plan_id", next.id()));
    }

    private static void requireState(SubscriptionDtos.SubscriptionResponse s, String action, Set<String> from) {
        if (!from.contains(s.state())) {
            throw ApiException.conflict("cannot " + action + " a subscription that is " + s.state());
        }
    }

    private SubscriptionDtos.SubscriptionResponse finish(SubscriptionDtos.SubscriptionResponse before, String action) {
        SubscriptionDtos.SubscriptionResponse after = subscriptions.find(before.id()).orElseThrow();
        audit.record(before.tenantId(), action, "subscription", before.id(), before, after);
        return after;
    }

    private SubscriptionDtos.SubscriptionResponse visible(UUID id, Operation operation) {
        SubscriptionDtos.SubscriptionResponse s = subscriptions.find(id)
                .orElseThrow(() -> ApiException.notFound("subscription"));
        access.check(Module.SUBSCRIPTIONS, operation, s.tenantId(), s.userId(), "subscription");
        return s;
    }

    private SubscriptionDtos.SubscriptionResponse locked(UUID id, Operation operation) {
        visible(id, operation);
        return subscriptions.lock(id).orElseThrow(() -> ApiException.notFound("subscription"));
    }

    private static List<String> normalisedTags(List<String> tags) {
        return tags == null ? List.of() : tags.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).distinct()
                .sorted().toList();
    }
}

package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.auth.Credentials;
import dev.gatehouse.controlapi.person.People;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.domain.node.DesiredState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Operations on many subscriptions at once, each one transaction: every id is checked first
 * (another tenant's id is 404 and nothing is written), then each object changes and gets its own
 * audit entry, and the nodes are synced once for all of them.
 */
@Service
class SubscriptionBulk {

    private final SubscriptionRepository subscriptions;
    private final SubscriptionService service;
    private final SubscriptionTransitions transitions;
    private final SubscriptionGuard guard;
    private final DesiredState desired;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final People people;

    SubscriptionBulk(SubscriptionRepository subscriptions, SubscriptionService service,
                     SubscriptionTransitions transitions, SubscriptionGuard guard, DesiredState desired,
                     AccessPolicy access, AuditLog audit, People people) {
        this.people = people;
        this.subscriptions = subscriptions;
        this.service = service;
        this.transitions = transitions;
        this.guard = guard;
        this.desired = desired;
        this.access = access;
        this.audit = audit;
    }

    /** People and their subscriptions from one template, all or none; a taken username is a 409. */
    @Transactional
    List<SubscriptionDtos.BulkUserCreated> createUsers(SubscriptionDtos.BulkUsersRequest request) {
        access.check(Module.USERS, Operation.CREATE, request.tenantId(), null, "tenant");
        access.check(Module.SUBSCRIPTIONS, Operation.CREATE, request.tenantId(), null, "tenant");
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : request.usernames()) {
            String name = Credentials.username("usernames", raw);
            if (!seen.add(name)) {
                throw ApiException.conflict("the username '" + name + "' is taken in this tenant");
            }
            names.add(name);
        }
        People.Made inserted = people.createMany(request.tenantId(), names);
        if (inserted.takenName() != null) {
            // The transaction rolls back: no person of the request is kept.
            throw ApiException.conflict("the username '" + inserted.takenName() + "' is taken in this tenant");
        }
        SubscriptionDtos.SubscriptionTemplate t = request.template();
        List<UUID> userIds = inserted.ids();
        audit.recordAll(request.tenantId(), "user.create", "user", java.util.stream.IntStream.range(0, names.size())
                .mapToObj(i -> new AuditLog.Entry(userIds.get(i), null, Map.of("username", names.get(i)))).toList());
        List<SubscriptionDtos.SubscriptionCreated> subs = service.createAll(request.tenantId(),
                new SubscriptionDtos.SubscriptionCreateRequest(null, t.planId(), t.engines(), t.quotaBytes(),
                        t.expiresAt(), t.strategy(), t.tags(), t.redundancy(), t.nodeIds()), userIds);
        List<SubscriptionDtos.BulkUserCreated> created = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            created.add(new SubscriptionDtos.BulkUserCreated(userIds.get(i), names.get(i), subs.get(i).subscription(),
                    subs.get(i).subscriptionToken()));
        }
        return created;
    }

    @Transactional
    SubscriptionDtos.BulkResult transition(List<UUID> ids, String action) {
        SubscriptionTransitions.Action parsed = SubscriptionTransitions.Action.parse(action);
        return each(ids, s -> transitions.apply(s, parsed, "bulk " + action), parsed.auditName());
    }

    @Transactional
    SubscriptionDtos.BulkResult extend(List<UUID> ids, int days) {
        return each(ids, s -> {
            subscriptions.extend(s.id(), days);
            transitions.settle(s.id(), null);
        }, "subscription.extend");
    }

    @Transactional
    SubscriptionDtos.BulkResult addQuota(List<UUID> ids, long bytes) {
        return each(ids, s -> {
            subscriptions.addQuota(s.id(), bytes);
            transitions.settle(s.id(), null);
        }, "subscription.add_quota");
    }

    private SubscriptionDtos.BulkResult each(List<UUID> ids, Consumer<SubscriptionDtos.SubscriptionResponse> change,
                                             String action) {
        List<SubscriptionDtos.SubscriptionResponse> targets = new ArrayList<>();
        for (UUID id : new LinkedHashSet<>(ids)) {
            targets.add(guard.locked(id, Operation.UPDATE));
        }
        targets.forEach(change);
        desired.syncSubscriptions(targets.stream().map(SubscriptionDtos.SubscriptionResponse::id).toList());
        List<SubscriptionDtos.SubscriptionResponse> after = targets.stream().map(s -> guard.finish(s, action)).toList();
        return new SubscriptionDtos.BulkResult(after.size(), after);
    }
}

package dev.gatehouse.controlapi.engine;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.subscription.Credentials;
import dev.gatehouse.controlapi.problem.ApiException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Per-user engines (seed v0.1.1): an administrator restricts or expands the engines a person may
 * use, across their subscriptions. Outside a plan's engines only where the plan allows overrides.
 * Nodes stop or start serving the person's credentials in the same transaction.
 */
@Service
class EngineOverrideService {

    /** The user's engines: the override when one is set, else null (the subscriptions' own apply). */
    record EnginesResponse(UUID userId, List<String> engines, boolean overridden) {
    }

    private final UserEngineRepository repository;
    private final DesiredState desired;
    private final Credentials credentials;
    private final AccessPolicy access;
    private final AuditLog audit;

    EngineOverrideService(UserEngineRepository repository, DesiredState desired, Credentials credentials,
                          AccessPolicy access, AuditLog audit) {
        this.repository = repository;
        this.desired = desired;
        this.credentials = credentials;
        this.access = access;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    EnginesResponse get(UUID userId) {
        tenantChecked(userId, Operation.READ);
        return repository.override(userId).map(e -> new EnginesResponse(userId, e, true))
                .orElse(new EnginesResponse(userId, null, false));
    }

    @Transactional
    EnginesResponse set(UUID userId, List<String> requested) {
        UUID tenantId = tenantChecked(userId, Operation.UPDATE);
        List<String> engines = Engines.parse("engines", requested);
        for (UserEngineRepository.PlanLimit plan : repository.plansOf(userId)) {
            if (!plan.allowOverride() && !plan.engines().containsAll(engines)) {
                throw ApiException.invalid("engines", "plan '" + plan.name() + "' offers only " + plan.engines()
                        + " and does not allow overrides");
            }
        }
        EnginesResponse before = get(userId);
        repository.save(userId, tenantId, engines, access.caller().userId());
        credentials.ensureForUsers(List.of(userId));
        desired.syncUsers(List.of(userId));
        EnginesResponse after = new EnginesResponse(userId, engines, true);
        audit.record(tenantId, "user.engines", "user", userId, before, after);
        return after;
    }

    @Transactional
    EnginesResponse clear(UUID userId) {
        UUID tenantId = tenantChecked(userId, Operation.UPDATE);
        EnginesResponse before = get(userId);
        repository.clear(userId);
        desired.syncUsers(List.of(userId));
        audit.record(tenantId, "user.engines", "user", userId, before, Map.of("overridden", false));
        return new EnginesResponse(userId, null, false);
    }

    private UUID tenantChecked(UUID userId, Operation operation) {
        UUID tenantId = repository.tenantOf(userId).orElseThrow(() -> ApiException.notFound("user"));
        access.check(Module.USERS, operation, tenantId, userId, "user");
        return tenantId;
    }
}

package dev.gatehouse.scheduler.node;

import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.support.DomainException;
import dev.gatehouse.scheduler.SchedulerProperties;
import dev.gatehouse.scheduler.job.JobContext;
import dev.gatehouse.scheduler.job.ScheduledTask;
import dev.gatehouse.scheduler.job.SystemAudit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Rotates the node CA on a schedule, by the three checked steps an operator would take
 * (docs/nodes.md): stage a new CA once the issuing one nears its expiry or has issued for the
 * rotation period; promote the staged one once every node certificate issued before it was staged
 * has expired or been revoked (every node then has a bundle that trusts it); retire an old CA once
 * nothing it issued is still valid. Never forced: a refused step waits for a later run, so the
 * overlap lasts as long as the old certificates do.
 */
@Component
class CaRotationTask implements ScheduledTask {

    private static final Logger log = LoggerFactory.getLogger(CaRotationTask.class);

    private final NodeCa ca;
    private final SchedulerProperties.Ca settings;
    private final SystemAudit audit;

    CaRotationTask(NodeCa ca, SchedulerProperties properties, SystemAudit audit) {
        this.ca = ca;
        this.settings = properties.ca();
        this.audit = audit;
    }

    @Override
    public String name() {
        return "ca-rotation";
    }

    @Override
    public String description() {
        return "Stages a new node CA before the issuing one expires or ages out, promotes it once all nodes trust it,"
                + " retires the old one once nothing it issued is valid";
    }

    @Override
    public Duration defaultInterval() {
        return Duration.ofHours(6);
    }

    @Override
    public long run(JobContext context) {
        if (!ca.available() || ca.existingFingerprint().isEmpty()) {
            return 0;
        }
        Instant now = context.now();
        List<NodeCa.Authority> cas = ca.list(100, 0);
        long steps = 0;
        for (NodeCa.Authority a : cas) {
            if (a.state() == NodeCa.State.TRUSTED && step(context, a, "retire")) {
                steps++;
            }
        }
        NodeCa.Authority staged = cas.stream().filter(a -> a.state() == NodeCa.State.STAGED).findFirst().orElse(null);
        if (staged != null) {
            return steps + (step(context, staged, "promote") ? 1 : 0);
        }
        NodeCa.Authority issuing = cas.stream().filter(a -> a.state() == NodeCa.State.ISSUING).findFirst().orElse(null);
        if (issuing != null && due(issuing, now)) {
            NodeCa.Authority made = context.write(() -> {
                NodeCa.Authority s = ca.stage();
                audit.record(null, "node_ca.stage", "node_ca", s.id(), null,
                        Map.of("fingerprint", s.fingerprint(), "replaces", issuing.id().toString()));
                return s;
            });
            log.info("staged node CA {} to replace {} (expires {})", made.id(), issuing.id(), issuing.notAfter());
            steps++;
        }
        return steps;
    }

    private boolean due(NodeCa.Authority issuing, Instant now) {
        Instant since = issuing.promotedAt() == null ? issuing.createdAt() : issuing.promotedAt();
        return issuing.notAfter().isBefore(now.plus(settings.renewBefore()))
                || !since.plus(settings.rotateAfter()).isAfter(now);
    }

    /** Promotes or retires without force; false when the CA refuses the step for now. */
    private boolean step(JobContext context, NodeCa.Authority authority, String action) {
        try {
            context.write(() -> {
                NodeCa.Step step = "promote".equals(action) ? ca.promote(authority.id(), false)
                        : ca.retire(authority.id(), false);
                audit.record(null, "node_ca." + action, "node_ca", authority.id(), null,
                        Map.of("state", step.authority().state().label()));
                return step;
            });
            log.info("node CA {}: {}d", authority.id(), action);
            return true;
        } catch (DomainException e) {
            if (e.kind() != DomainException.Kind.CONFLICT) {
                throw e;
            }
            log.debug("node CA {} not {}d yet: {}", authority.id(), action, e.getMessage());
            return false;
        }
    }
}

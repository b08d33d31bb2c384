package dev.gatehouse.controlapi.audit;

import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.request.RequestContext;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the audit trail: who did what to which object, with its state before and after, in the
 * same transaction as the change itself, so there is no change without its entry.
 */
@Component
public class AuditLog {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditLog(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** One object's change, for {@link #recordAll}. */
    public record Entry(Object targetId, Object before, Object after) {
    }

    /** Who acts: the current caller, or the system when there is none. */
    private record Actor(String kind, UUID id, String name) {
        static Actor current() {
            var auth = SecurityContextHolder.getContext().getAuthentication();
            if (auth != null && auth.getPrincipal() instanceof Caller caller) {
                return new Actor(caller.apiTokenId() != null ? "api_token" : "user",
                        caller.apiTokenId() != null ? caller.apiTokenId() : caller.userId(), caller.username());
            }
            return new Actor("system", null, null);
        }
    }

    /** An entry for the current caller (or the system when there is none). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(UUID tenantId, String action, String targetType, Object targetId, Object before, Object after) {
        Actor actor = Actor.current();
        write(actor.kind(), actor.id(), actor.name(), tenantId, action, targetType, targetId, before, after);
    }

    /** One entry per object for the current caller, written in one statement (bulk operations). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordAll(UUID tenantId, String action, String targetType, List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        Actor actor = Actor.current();
        RequestContext request = RequestContext.current();
        jdbc.sql("""
                        INSERT INTO audit_logs (actor_kind, actor_id, actor_name, tenant_id, action, target_type,
                                                target_id, before_state, after_state, request_id, client_ip)
                        SELECT ?, ?, ?, ?, ?, ?, e.target_id, e.before_state::jsonb, e.after_state::jsonb, ?, ?::inet
                        FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                             AS e(target_id, before_state, after_state, i)
                        ORDER BY e.i""")
                .params(actor.kind(), actor.id(), actor.name(), tenantId, action, targetType,
                        request == null ? null : request.requestId(), request == null ? null : request.clientIp(),
                        entries.stream().map(e -> e.targetId() == null ? null : e.targetId().toString())
                                .toArray(String[]::new),
                        entries.stream().map(e -> e.before() == null ? null : json.writeValueAsString(e.before()))
                                .toArray(String[]::new),
                        entries.stream().map(e -> e.after() == null ? null : json.writeValueAsString(e.after()))
                                .toArray(String[]::new))
                .update();
    }

    /** An entry written for a node's agent (its enrolment). */
    public void recordAsNode(UUID nodeId, UUID tenantId, String action, Object after) {
        write("node", nodeId, "node " + nodeId, tenantId, action, "node", nodeId, null, after);
    }

    /** An entry for an actor that is not the authenticated caller (a login, a bootstrap). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordAs(UUID actorId, String actorName, UUID tenantId, String action, String targetType,
                         Object targetId, Object before, Object after) {
        write("user", actorId, actorName, tenantId, action, targetType, targetId, before, after);
    }

    private void write(String actorKind, UUID actorId, String actorName, UUID tenantId, String action,
                       String targetType, Object targetId, Object before, Object after) {
        RequestContext request = RequestContext.current();
        jdbc.sql("""
                        INSERT INTO audit_logs (actor_kind, actor_id, actor_name, tenant_id, action, target_type,
                                                target_id, before_state, after_state, request_id, client_ip)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?::inet)""")
                .params(actorKind, actorId, actorName, tenantId, action, targetType,
                        targetId == null ? null : targetId.toString(),
                        before == null ? null : json.writeValueAsString(before),
                        after == null ? null : json.writeValueAsString(after),
                        request == null ? null : request.requestId(),
                        request == null ? null : request.clientIp())
                .update();
    }
}

package dev.gatehouse.controlapi.audit;

import dev.gatehouse.controlapi.access.Caller;
import dev.gatehouse.controlapi.request.RequestContext;
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

    /** An entry for the current caller (or the system when there is none). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(UUID tenantId, String action, String targetType, Object targetId, Object before, Object after) {
        var auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Caller caller) {
            write(caller.apiTokenId() != null ? "api_token" : "user",
                    caller.apiTokenId() != null ? caller.apiTokenId() : caller.userId(), caller.username(),
                    tenantId, action, targetType, targetId, before, after);
        } else {
            write("system", null, null, tenantId, action, targetType, targetId, before, after);
        }
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

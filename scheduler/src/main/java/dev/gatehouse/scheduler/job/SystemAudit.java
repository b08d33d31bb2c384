package dev.gatehouse.scheduler.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Audit entries for what the scheduler decides on its own (actor kind system), in the caller's transaction. */
@Component
public class SystemAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcClient jdbc;

    public SystemAudit(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(UUID tenantId, String action, String targetType, Object targetId, Map<String, ?> before,
                       Map<String, ?> after) {
        try {
            jdbc.sql("""
                            INSERT INTO audit_logs (actor_kind, actor_name, tenant_id, action, target_type, target_id,
                                                    before_state, after_state)
                            VALUES ('system', 'scheduler', ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")
                    .params(tenantId, action, targetType, String.valueOf(targetId),
                            before == null ? null : JSON.writeValueAsString(before),
                            after == null ? null : JSON.writeValueAsString(after))
                    .update();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

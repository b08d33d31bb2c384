package dev.gatehouse.controlapi.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** /nodes/{id}/health shows what the agent applied and what its cores refused, as the collector stored it. */
class NodeHealthIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void healthShowsTheAppliedRevisionAndEachCredentialThatFailed() {
        Tenant tenant = newTenant();
        String node = node(tenant, null);
        jdbc.sql("""
                        UPDATE node_revisions SET desired_revision = 4, applied_revision = 3, applied_at = now(),
                               apply_failures = '[{"credential_id": "c-1", "reason": "core refused the user"}]'
                        WHERE node_id = ?::uuid""").param(node).update();
        JsonNode health = root.get("/nodes/" + node + "/health").json();
        assertThat(health.path("applied_revision").asLong()).isEqualTo(3);
        assertThat(health.path("in_sync").asBoolean()).isFalse();
        assertThat(health.path("applied_at").asString()).isNotBlank();
        assertThat(health.path("apply_failures").get(0).path("credential_id").asString()).isEqualTo("c-1");
        assertThat(health.path("apply_failures").get(0).path("reason").asString()).isEqualTo("core refused the user");
    }
}

package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** A live subscription is degraded when it is on no node, or on a node that is offline; a list filters on it. */
class DegradedIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void anOfflineNodeOrNoNodeDegradesLiveSubscriptionsOnly() {
        Tenant tenant = newTenant();
        String edge = node(tenant, null, "edge");
        String spare = node(tenant, null, "spare");
        String plan = plan(tenant, null);
        String onEdge = subscription(tenant, plan, edge);
        String onSpare = subscription(tenant, plan, spare);
        String onBoth = id(subscribe(tenant, plan, "strategy", "manual", "node_ids", List.of(spare, edge)));
        String unplaced = subscription(tenant, plan, spare);
        String expired = subscription(tenant, plan, edge);
        assertThat(degraded(onEdge)).isFalse();
        assertThat(degraded(onBoth)).isFalse();

        jdbc.sql("DELETE FROM node_assignments WHERE subscription_id = ?::uuid").param(unplaced).update();
        jdbc.sql("UPDATE subscriptions SET state = 'expired' WHERE id = ?::uuid").param(expired).update();
        jdbc.sql("UPDATE nodes SET status = 'offline' WHERE id = ?::uuid").param(edge).update();

        assertThat(degraded(onEdge)).isTrue();
        assertThat(degraded(onBoth)).as("one of its nodes is offline").isTrue();
        assertThat(degraded(unplaced)).as("on no node").isTrue();
        assertThat(degraded(onSpare)).isFalse();
        assertThat(degraded(expired)).as("not live").isFalse();

        assertThat(ids("/subscriptions?tenant_id=" + tenant.id() + "&degraded=true"))
                .containsExactlyInAnyOrder(onEdge, onBoth, unplaced);
        assertThat(ids("/subscriptions?tenant_id=" + tenant.id() + "&degraded=false"))
                .containsExactlyInAnyOrder(onSpare, expired);
        assertThat(ids("/subscriptions?tenant_id=" + tenant.id() + "&degraded=true&state=active&node_id=" + edge))
                .containsExactlyInAnyOrder(onEdge, onBoth);
        assertThat(root.get("/subscriptions?degraded=maybe").status()).isEqualTo(400);

        jdbc.sql("UPDATE subscriptions SET state = 'on_hold' WHERE id = ?::uuid").param(onEdge).update();
        assertThat(degraded(onEdge)).as("on hold is live").isTrue();
        jdbc.sql("UPDATE nodes SET status = 'online' WHERE id = ?::uuid").param(edge).update();
        assertThat(degraded(onEdge)).isFalse();
        assertThat(ids("/subscriptions?tenant_id=" + tenant.id() + "&degraded=true")).containsExactly(unplaced);
    }

    private String subscription(Tenant tenant, String plan, String node) {
        return id(subscribe(tenant, plan, "strategy", "manual", "node_ids", List.of(node)));
    }

    private static String id(JsonNode created) {
        return created.path("subscription").path("id").asString();
    }

    private boolean degraded(String subscription) {
        Api.Response read = root.get("/subscriptions/" + subscription);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().has("degraded")).isTrue();
        return read.json().path("degraded").asBoolean();
    }

    private List<String> ids(String path) {
        Api.Response response = root.get(path);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
        return ids;
    }
}

package dev.gatehouse.controlapi.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Lists page, filter and sort, and never show another tenant's objects. */
class ListingIT extends ControlApiTest {

    @Test
    void subscriptionsFilterByStateNodePlanAndUserAndSort() {
        Tenant tenant = newTenant();
        String nodeA = node(tenant, null, "eu");
        String plan = plan(tenant, null);
        String s1 = subscribe(tenant, plan, "strategy", "manual", "node_ids", List.of(nodeA))
                .path("subscription").path("id").asString();
        String nodeB = node(tenant, null, "us");
        String s2 = subscribe(tenant, plan, "strategy", "by_tag", "tags", List.of("us"))
                .path("subscription").path("id").asString();
        root.post("/subscriptions/" + s2 + "/suspend", null);

        assertThat(ids(root.get("/subscriptions?tenant_id=" + tenant.id() + "&state=suspended"))).containsExactly(s2);
        assertThat(ids(root.get("/subscriptions?node_id=" + nodeA))).containsExactly(s1);
        assertThat(ids(root.get("/subscriptions?node_id=" + nodeB))).containsExactly(s2);
        assertThat(ids(root.get("/subscriptions?plan_id=" + plan + "&sort=created_at"))).containsExactly(s1, s2);
        assertThat(ids(root.get("/subscriptions?plan_id=" + plan + "&sort=-created_at"))).containsExactly(s2, s1);
        assertThat(root.get("/subscriptions?sort=password").status()).isEqualTo(400);

        assertThat(ids(root.get("/nodes?tenant_id=" + tenant.id() + "&tag=us"))).containsExactly(nodeB);
        String xrayOnly = root.post("/plans", map("tenant_id", tenant.id(), "name", "xray only",
                "engines", List.of("xray"))).text("id");
        assertThat(ids(root.get("/plans?tenant_id=" + tenant.id() + "&engine=wireguard"))).containsExactly(plan);
        assertThat(ids(root.get("/plans?tenant_id=" + tenant.id() + "&engine=xray&sort=-name")))
                .containsExactly(xrayOnly, plan);
    }

    @Test
    void anEndUserSeesOnlyTheirOwnSubscriptions() {
        Tenant tenant = newTenant();
        node(tenant, null);
        String plan = plan(tenant, null);
        subscribe(tenant, plan);
        Member self = member(tenant, "self");
        String own = root.post("/subscriptions", map("user_id", self.id(), "plan_id", plan)).json()
                .path("subscription").path("id").asString();

        assertThat(ids(self.api().get("/subscriptions"))).containsExactly(own);
        assertThat(self.api().get("/subscriptions/" + own).status()).isEqualTo(200);
    }

    private static List<String> ids(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode item : response.json().path("items")) {
            ids.add(item.path("id").asString());
        }
        return ids;
    }
}

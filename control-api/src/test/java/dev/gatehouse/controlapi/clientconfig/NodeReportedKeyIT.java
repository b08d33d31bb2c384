package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A node whose WireGuard interface key is made on the node: until its agent reports the public half
 * (the collector stores it), clients get no WireGuard configuration for it, since one without the
 * server's key cannot connect; afterwards they get it with that key.
 */
class NodeReportedKeyIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void wireGuardIsHandedOutOnceTheNodeReportedItsKey() {
        Tenant tenant = newTenant();
        String node = enrolledNode(map("tenant_id", tenant.id(), "name", "edge", "address", "edge.example.net",
                "engines", map("wireguard", map("interface_name", "wg0", "listen_port", 51820))));
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "wg", "engines", List.of("wireguard")))
                .text("id");
        String user = subscribe(tenant, plan).path("subscription").path("user_id").asString();
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").has("wireguard")).isFalse();

        String key = "hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4=";
        jdbc.sql("UPDATE nodes SET engines = jsonb_set(engines, '{wireguard,public_key}', to_jsonb(?::text))"
                + " WHERE id = ?::uuid").params(key, node).update();
        JsonNode wireguard = root.get("/users/" + user + "/configs").json().path("engines").path("wireguard");
        assertThat(wireguard.get(0).path("wireguard_conf").asString()).contains("PublicKey = " + key);
    }
}

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

    @Test
    void aRealityInboundIsHandedOutOnceTheNodeReportedItsKey() {
        Tenant tenant = newTenant();
        String node = enrolledNode(map("tenant_id", tenant.id(), "name", "edge", "address", "edge.example.net",
                "engines", map("xray", map("inbounds", List.of(map("tag", "vless-reality", "protocol", "vless",
                        "port", 443, "security", "reality", "flow", "xtls-rprx-vision",
                        "reality", map("server_name", "www.example.com", "short_id", "6ba85179e30d4fc2")))))));
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "x", "engines", List.of("xray")))
                .text("id");
        String user = subscribe(tenant, plan).path("subscription").path("user_id").asString();
        assertThat(root.get("/users/" + user + "/configs").json().path("engines").path("xray").size())
                .as("no key yet: nothing a client could connect with").isZero();

        String key = "SbVKOEMjK0sIlbwg4akyBg5mL5KZwwB-ed4eEE7YnRc";
        jdbc.sql("UPDATE nodes SET engines = jsonb_set(engines, '{xray,inbounds,0,reality,public_key}',"
                + " to_jsonb(?::text)) WHERE id = ?::uuid").params(key, node).update();
        JsonNode xray = root.get("/users/" + user + "/configs").json().path("engines").path("xray");
        assertThat(xray.size()).isEqualTo(1);
        assertThat(xray.get(0).toString()).contains("pbk=" + key);
    }
}

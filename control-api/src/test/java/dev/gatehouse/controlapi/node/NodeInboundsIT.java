package dev.gatehouse.controlapi.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Inbound settings are typed and checked as the cores and clients check them; a refusal names the field. */
class NodeInboundsIT extends ControlApiTest {

    private static final String KEY = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw";

    @Autowired
    JdbcClient jdbc;

    private Api.Response create(Tenant tenant, Map<String, Object> inbound) {
        return root.post("/nodes", map("tenant_id", tenant.id(), "name", "n-" + System.nanoTime(),
                "address", "edge.example.net", "engines", map("xray", map("inbounds", List.of(inbound)),
                        "wireguard", map("interface_name", "wg0", "listen_port", 51820))));
    }

    private void refused(Tenant tenant, Map<String, Object> inbound, String field, String messageStart) {
        Api.Response response = create(tenant, inbound);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        JsonNode error = response.json().path("errors").get(0);
        assertThat(error.path("field").asString()).as(response.body()).isEqualTo(field);
        assertThat(error.path("message").asString()).as(response.body()).startsWith(messageStart);
    }

    @Test
    void unusableInboundsAreRefusedNamingTheFieldAndNothingIsWritten() {
        Tenant tenant = newTenant();
        String at = "engines.xray.inbounds[0].";
        refused(tenant, map("tag", "a", "protocol", "vmess", "port", 443, "security", "reality"),
                at + "security", "reality is for vless only");
        refused(tenant, map("tag", "a", "protocol", "shadowsocks", "port", 443, "security", "reality",
                "shadowsocks", map("method", "aes-128-gcm")), at + "security", "must be none for shadowsocks");
        refused(tenant, map("tag", "a", "protocol", "vless", "port", 443, "security", "reality",
                "reality", map("server_name", "www.example.com", "public_key", "not-a-key")), at + "reality.public_key",
                "must be the server's X25519 public key");
        refused(tenant, map("tag", "a", "protocol", "shadowsocks", "port", 8388, "security", "tls",
                "shadowsocks", map("method", "aes-128-gcm")), at + "security", "must be none for shadowsocks");
        refused(tenant, map("tag", "a", "protocol", "vless", "port", 443, "flow", "xtls-rprx-vision"),
                at + "flow", "xtls-rprx-vision needs vless over tcp with tls or reality");
        refused(tenant, map("tag", "a", "protocol", "shadowsocks", "port", 8388, "shadowsocks",
                map("method", "bogus-cipher")), at + "shadowsocks.method",
                "must be aes-128-gcm, aes-256-gcm or chacha20-ietf-poly1305");
        refused(tenant, map("tag", "a", "protocol", "shadowsocks", "port", 8388, "shadowsocks",
                map("method", "2022-blake3-aes-128-gcm")), at + "shadowsocks.method", "must be aes-128-gcm");
        refused(tenant, map("tag", "a", "protocol", "trojan", "port", 443), at + "security", "must be tls for trojan");
        refused(tenant, map("tag", "a", "protocol", "vless"), at + "port", "must not be null");
        Api.Response untyped = create(tenant, map("tag", "a", "protocol", "vless", "port", 443,
                "settings", map("sni", "x")));
        assertThat(untyped.status()).isEqualTo(400);
        assertThat(untyped.text("detail")).isEqualTo("unknown field 'settings'");
        Api.Response twoOnOnePort = root.post("/nodes", map("tenant_id", tenant.id(), "name", "two",
                "address", "edge.example.net", "engines", map("xray", map("inbounds", List.of(
                        map("tag", "a", "protocol", "vless", "port", 443),
                        map("tag", "b", "protocol", "vmess", "port", 443))))));
        assertThat(twoOnOnePort.status()).isEqualTo(400);
        assertThat(twoOnOnePort.text("detail")).isEqualTo("engines.xray.inbounds[1].port: is used by inbound 'a' of"
                + " this node");
        assertThat(jdbc.sql("SELECT count(*) FROM nodes WHERE tenant_id = ?").param(tenant.id()).query(Long.class)
                .single()).isZero();
    }

    @Test
    void aChangeToAnUnusableInboundIsRefusedAndTheNodeKeepsItsSettings() {
        Tenant tenant = newTenant();
        Api.Response created = create(tenant, map("tag", "r", "protocol", "vless", "port", 443,
                "security", "reality", "flow", "xtls-rprx-vision",
                "reality", map("server_name", "www.example.com", "public_key", KEY, "short_id", "ab")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode inbound = created.json().path("node").path("engines").path("xray").path("inbounds").get(0);
        assertThat(inbound.path("network").asString()).isEqualTo("tcp");
        assertThat(inbound.path("reality").path("public_key").asString()).isEqualTo(KEY);
        String id = created.json().path("node").path("id").asString();

        Api.Response patched = root.patch("/nodes/" + id, map("engines", map("xray", map("inbounds", List.of(
                map("tag", "r", "protocol", "vmess", "port", 443, "security", "reality",
                        "reality", map("server_name", "www.example.com", "public_key", KEY)))))));
        assertThat(patched.status()).isEqualTo(400);
        assertThat(root.get("/nodes/" + id).json().path("engines").path("xray").path("inbounds").get(0)
                .path("protocol").asString()).isEqualTo("vless");
    }
}

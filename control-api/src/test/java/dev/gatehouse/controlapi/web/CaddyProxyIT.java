package dev.gatehouse.controlapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RealPeers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * control-api behind the real Caddy with deploy/Caddyfile: Caddy replaces a client's forged
 * X-Forwarded-For with the address it really saw, control-api believes Caddy (a trusted proxy),
 * and the metrics endpoints are not reachable from outside.
 */
class CaddyProxyIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    private Process caddy;
    private Api viaCaddy;
    private Path home;

    @BeforeEach
    void startCaddy() throws Exception {
        Path binary = RealPeers.require("caddy", "caddy");
        int caddyPort = Ports.free();
        home = Files.createTempDirectory("caddy-home");
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "run", "--adapter", "caddyfile", "--config",
                Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent().resolve("deploy/Caddyfile").toString())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("caddy.log").toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("GATEHOUSE_DOMAIN", "http://127.0.0.1:" + caddyPort);
        pb.environment().put("GATEHOUSE_CONTROL_API_UPSTREAM", "127.0.0.1:" + port);
        pb.environment().put("GATEHOUSE_CADDY_ADMIN", "off");
        caddy = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Ports.listening(caddyPort)) {
            if (!caddy.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("caddy did not start: " + Files.readString(home.resolve("caddy.log")));
            }
            Thread.sleep(100);
        }
        viaCaddy = new Api(caddyPort);
    }

    @AfterEach
    void stopCaddy() throws Exception {
        if (caddy != null) {
            caddy.destroy();
            caddy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aForgedForwardedForIsReplacedByCaddyAndTheRealAddressIsAudited() {
        Tenant tenant = newTenant();
        Member admin = member(tenant, "admin");
        // 198.51.100.7 is outside the admin allow-list: were the forged header believed, this would be 403.
        Api.Response login = viaCaddy.withHeader("X-Forwarded-For", "198.51.100.7").post("/auth/login",
                map("tenant", tenant.slug(), "username", admin.username(), "password", PASSWORD));
        assertThat(login.status()).as(login.body()).isEqualTo(200);

        String address = jdbc.sql("SELECT host(client_ip) FROM audit_logs WHERE action = 'auth.login' AND actor_id = ?"
                + " ORDER BY id DESC LIMIT 1").param(admin.id()).query(String.class).single();
        assertThat(address).isEqualTo("127.0.0.1");
    }

    @Test
    void metricsAndHealthAreNotServedThroughCaddy() {
        assertThat(viaCaddy.get("/actuator/prometheus").status()).isEqualTo(404);
        assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(viaCaddy.get("/openapi.json").status()).isEqualTo(200);
    }

}

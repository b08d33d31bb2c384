package dev.gatehouse.controlapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.controlapi.support.RawHttp;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RealPeers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * control-api behind the real Caddy with deploy/Caddyfile: Caddy replaces a client's forged
 * X-Forwarded-For with the address it really saw and drops a client's Forwarded and X-Real-IP;
 * control-api believes only X-Forwarded-For from Caddy (a trusted proxy), so neither the admin
 * allow-list nor the per-address sign-in limit can be talked around; the metrics endpoints are not
 * reachable from outside.
 */
class CaddyProxyIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    private final List<Process> caddies = new ArrayList<>();

    /** Starts Caddy with the shipped Caddyfile in front of {@code upstreamPort}; returns the port it serves. */
    private int caddyInFrontOf(int upstreamPort) throws Exception {
        Path binary = RealPeers.require("caddy", "caddy");
        int caddyPort = Ports.free();
        Path home = Files.createTempDirectory("caddy-home");
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "run", "--adapter", "caddyfile", "--config",
                Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent().resolve("deploy/Caddyfile").toString())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("caddy.log").toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("GATEHOUSE_DOMAIN", "http://127.0.0.1:" + caddyPort);
        pb.environment().put("GATEHOUSE_CONTROL_API_UPSTREAM", "127.0.0.1:" + upstreamPort);
        pb.environment().put("GATEHOUSE_CADDY_ADMIN", "off");
        Process caddy = pb.start();
        caddies.add(caddy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Ports.listening(caddyPort)) {
            if (!caddy.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("caddy did not start: " + Files.readString(home.resolve("caddy.log")));
            }
            Thread.sleep(100);
        }
        return caddyPort;
    }

    @AfterEach
    void stopCaddy() throws Exception {
        for (Process caddy : caddies) {
            caddy.destroy();
            caddy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aForgedForwardedForIsReplacedByCaddyAndTheRealAddressIsAudited() throws Exception {
        Api viaCaddy = new Api(caddyInFrontOf(port));
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
    void aClientSentForwardedOrRealIpHeaderCannotPassTheAdminAllowList() throws Exception {
        int caddyPort = caddyInFrontOf(port);
        Tenant tenant = newTenant();
        assertThat(RawHttp.post(InetAddress.getByName("127.0.0.1"), caddyPort, "/auth/login",
                signIn(tenant, member(tenant, "admin")), Map.of())).isEqualTo(200);
        // An admin connects to Caddy from 127.0.0.2, outside the allow-list, and names an allowed address.
        InetAddress refused = InetAddress.getByName("127.0.0.2");
        for (Map<String, String> forged : List.of(Map.of("Forwarded", "for=127.0.0.1"),
                Map.of("Forwarded", "for=\"[::1]\";proto=https"), Map.of("X-Real-IP", "127.0.0.1"),
                Map.of("X-Forwarded-For", "127.0.0.1"))) {
            // A person each time: their own sign-in limit is not what is tested here.
            assertThat(RawHttp.post(refused, caddyPort, "/auth/login", signIn(tenant, member(tenant, "admin")), forged))
                    .as(forged.toString()).isEqualTo(403);
        }
    }

    private static String signIn(Tenant tenant, Member member) {
        return "{\"tenant\":\"" + tenant.slug() + "\",\"username\":\"" + member.username()
                + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    @Test
    void failedSignInsAreCountedAgainstTheAddressCaddySawWhateverTheClientClaims() throws Exception {
        int caddyPort = caddyInFrontOf(port);
        InetAddress client = InetAddress.getByName("127.0.0.3");
        for (int i = 0; i < 34; i++) {
            String body = "{\"username\":\"nobody-" + i + "\",\"password\":\"wrong password\"}";
            int status = RawHttp.post(client, caddyPort, "/auth/login", body,
                    Map.of("Forwarded", "for=203.0.113." + (i + 1)));
            assertThat(status).isIn(401, 429);
        }
        String prefix = redisNamespace() + ":login:address:";
        assertThat(redis.hasKey(prefix + "127.0.0.3")).isTrue();
        assertThat(redis.keys(prefix + "203.0.113.*")).isEmpty();
    }

    @Test
    void caddyPassesNoClientSentForwardedOrRealIpHeaderUpstream() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), String.join(",", values)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        upstream.start();
        try {
            int caddyPort = caddyInFrontOf(upstream.getAddress().getPort());
            RawHttp.post(InetAddress.getByName("127.0.0.2"), caddyPort, "/auth/login", "{}", Map.of(
                    "Forwarded", "for=192.0.2.1", "X-Real-IP", "192.0.2.2", "X-Forwarded-For", "192.0.2.3"));
            assertThat(seen).doesNotContainKeys("forwarded", "x-real-ip");
            assertThat(seen).containsEntry("x-forwarded-for", "127.0.0.2");
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void metricsAndHealthAreNotServedThroughCaddy() throws Exception {
        Api viaCaddy = new Api(caddyInFrontOf(port));
        assertThat(viaCaddy.get("/actuator/prometheus").status()).isEqualTo(404);
        assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(viaCaddy.get("/openapi.json").status()).isEqualTo(200);
    }
}

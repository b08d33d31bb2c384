package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.ControlApiApplication;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import dev.gatehouse.testkit.TestRedis;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What holds across processes: a lockout outlives a restart, tokens signed by one replica verify
 * on another, and a fresh installation has no account until the one-time bootstrap is redeemed.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecondInstanceIT extends ControlApiTest {

    @Test
    void aLockoutAndTheSigningKeysHoldInARestartedInstance() {
        Tenant tenant = newTenant();
        Member member = member(tenant, "viewer");
        for (int i = 0; i < 6; i++) {
            anonymous.post("/auth/login", map("tenant", tenant.slug(), "username", member.username(),
                    "password", "wrong " + i));
        }
        TestDatabase db = TestPostgres.instance().shared("control-api-it", false);
        try (ConfigurableApplicationContext second = start(db, redisNamespace())) {
            Api other = new Api(port(second));
            Api.Response locked = other.post("/auth/login", map("tenant", tenant.slug(),
                    "username", member.username(), "password", PASSWORD));
            assertThat(locked.status()).isEqualTo(429);
            // An access token issued by the first instance is honoured by the second.
            assertThat(other.as(rootTokenOf()).get("/auth/me").status()).isEqualTo(200);
        }
    }

    @Test
    void aFreshInstallationIsOpenedOnlyWithTheOneTimeBootstrapToken(CapturedOutput output) {
        TestDatabase fresh = TestPostgres.instance().createDatabase();
        try (ConfigurableApplicationContext app = start(fresh, "gh-test-bootstrap-" + java.util.UUID.randomUUID())) {
            Api api = new Api(port(app));
            Matcher m = Pattern.compile("one-time token (ghb_[A-Za-z0-9_-]{43})").matcher(output.getAll());
            assertThat(m.find()).as("the bootstrap token is printed at start").isTrue();
            String token = m.group(1);

            assertThat(api.post("/auth/login", map("username", "admin", "password", "admin")).status())
                    .isEqualTo(401);
            assertThat(api.post("/auth/bootstrap", map("token", "ghb_" + "A".repeat(43), "username", "first-admin",
                    "password", "a long first password")).status()).isEqualTo(401);
            Api.Response weak = api.post("/auth/bootstrap", map("token", token, "username", "first-admin",
                    "password", "short"));
            assertThat(weak.status()).isEqualTo(400);

            assertThat(api.post("/auth/bootstrap", map("token", token, "username", "first-admin",
                    "password", "a long first password")).status()).isEqualTo(201);
            assertThat(api.post("/auth/bootstrap", map("token", token, "username", "second-admin",
                    "password", "a long first password")).status()).isEqualTo(401);

            Api.Response login = api.post("/auth/login", map("username", "first-admin",
                    "password", "a long first password"));
            assertThat(login.status()).isEqualTo(200);
            assertThat(api.as(login.text("access_token")).get("/auth/me").json().path("platform_admin").asBoolean())
                    .isTrue();
        }
    }

    private String rootTokenOf() {
        return login(null, ROOT, ROOT_PASSWORD).text("access_token");
    }

    private static ConfigurableApplicationContext start(TestDatabase db, String namespace) {
        return new SpringApplicationBuilder(ControlApiApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--spring.data.redis.url=" + TestRedis.instance().url(),
                "--gatehouse.domain.redis-namespace=" + namespace,
                "--gatehouse.control-api.bootstrap.admin-username=",
                "--gatehouse.control-api.network.trusted-proxies=127.0.0.1/32");
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}

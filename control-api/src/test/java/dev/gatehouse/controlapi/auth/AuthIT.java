package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** Sign-in, refresh rotation, sign-out and the events that end sessions, over real HTTP. */
class AuthIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Test
    void thereIsNoDefaultAdminAccount() {
        for (String[] guess : new String[][] {{"admin", "admin"}, {"admin", "password"}, {"root", "root"}}) {
            Api.Response r = anonymous.post("/auth/login", map("username", guess[0], "password", guess[1]));
            assertThat(r.status()).isEqualTo(401);
        }
    }

    @Test
    void anUnknownUserAndAWrongPasswordGetTheSameAnswerAndTheSameWork() {
        Tenant tenant = newTenant();
        Member viewer = member(tenant, "viewer");
        double before = verifications();

        Api.Response wrongPassword = anonymous.post("/auth/login",
                map("tenant", tenant.slug(), "username", viewer.username(), "password", "not the password"));
        double afterWrong = verifications();
        Api.Response unknownUser = anonymous.post("/auth/login",
                map("tenant", tenant.slug(), "username", "nobody-here", "password", "not the password"));
        double afterUnknown = verifications();

        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(unknownUser.status()).isEqualTo(401);
        assertThat(withoutRequestData(wrongPassword.body())).isEqualTo(withoutRequestData(unknownUser.body()));
        // Both paths run exactly one Argon2id verification, so they cost the same time.
        assertThat(afterWrong - before).isEqualTo(1.0);
        assertThat(afterUnknown - afterWrong).isEqualTo(1.0);
    }

    @Test
    void refreshRotatesAndAReusedTokenAfterTheGraceWindowEndsTheFamily() throws Exception {
        Member member = member(newTenant(), "viewer");
        Api.Response first = anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken()));
        assertThat(first.status()).isEqualTo(200);
        String second = first.text("refresh_token");
        assertThat(second).isNotEqualTo(member.refreshToken()).startsWith("ghr_");
        assertThat(anonymous.as(first.text("access_token")).get("/auth/me").status()).isEqualTo(200);

        Thread.sleep(2_500); // past the 2 s grace window of the test configuration
        Api.Response replay = anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken()));
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.text("detail")).contains("already used");

        // The whole family is gone: the newer token and the session's access tokens too.
        assertThat(anonymous.post("/auth/refresh", map("refresh_token", second)).status()).isEqualTo(401);
        assertThat(anonymous.as(first.text("access_token")).get("/auth/me").status()).isEqualTo(401);
    }

    @Test
    void twoRefreshesRacingBothSucceedWithinTheGraceWindow() throws Exception {
        Member member = member(newTenant(), "viewer");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Api.Response>> calls = List.of(
                    () -> anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken())),
                    () -> anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken())));
            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> f : pool.invokeAll(calls)) {
                responses.add(f.get());
            }
            assertThat(responses).extracting(Api.Response::status).containsExactly(200, 200);
            assertThat(responses.get(0).text("refresh_token")).isNotEqualTo(responses.get(1).text("refresh_token"));
            for (Api.Response r : responses) {
                assertThat(anonymous.post("/auth/refresh", map("refresh_token", r.text("refresh_token"))).status())
                        .isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void logoutEndsTheSessionAtOnce() {
        Member member = member(newTenant(), "viewer");
        assertThat(member.api().post("/auth/logout", null).status()).isEqualTo(204);

        assertThat(member.api().get("/auth/me").status()).isEqualTo(401);
        assertThat(anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken())).status())
                .isEqualTo(401);
    }

    @Test
    void aPasswordChangeEndsEveryOtherSession() {
        Tenant tenant = newTenant();
        Member member = member(tenant, "viewer");
        Api.Response second = login(tenant.slug(), member.username(), PASSWORD);

        Api.Response changed = member.api().post("/auth/password",
                map("current_password", PASSWORD, "new_password", "another long password"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(204);

        assertThat(member.api().get("/auth/me").status()).isEqualTo(401);
        assertThat(anonymous.as(second.text("access_token")).get("/auth/me").status()).isEqualTo(401);
        assertThat(anonymous.post("/auth/refresh", map("refresh_token", second.text("refresh_token"))).status())
                .isEqualTo(401);
        assertThat(anonymous.post("/auth/login", map("tenant", tenant.slug(), "username", member.username(),
                "password", PASSWORD)).status()).isEqualTo(401);
        login(tenant.slug(), member.username(), "another long password");
    }

    @Test
    void disablingAUserEndsTheirSessionsAtOnce() {
        Member member = member(newTenant(), "viewer");
        assertThat(root.patch("/users/" + member.id(), map("status", "disabled")).status()).isEqualTo(200);

        assertThat(member.api().get("/auth/me").status()).isEqualTo(401);
        assertThat(anonymous.post("/auth/refresh", map("refresh_token", member.refreshToken())).status())
                .isEqualTo(401);
    }

    @Test
    void aRoleChangeEndsTheSessionsOfThatUser() {
        Member member = member(newTenant(), "operator");
        String membership = root.get("/memberships?user_id=" + member.id()).json().path("items").get(0)
                .path("id").asString();
        assertThat(root.delete("/memberships/" + membership).status()).isEqualTo(204);

        assertThat(member.api().get("/auth/me").status()).isEqualTo(401);
    }

    @Test
    void passwordsLongerThan72BytesCountInFull() {
        Tenant tenant = newTenant();
        String longPassword = "p".repeat(90) + "-tail-A";
        Api.Response created = root.post("/users", map("tenant_id", tenant.id(), "username", "long-pass",
                "password", longPassword));
        assertThat(created.status()).isEqualTo(201);
        root.post("/memberships", map("user_id", created.text("id"), "tenant_id", tenant.id(),
                "role_id", BuiltinRole.VIEWER.id()));

        assertThat(anonymous.post("/auth/login", map("tenant", tenant.slug(), "username", "long-pass",
                "password", "p".repeat(90) + "-tail-B")).status()).isEqualTo(401);
        login(tenant.slug(), "long-pass", longPassword);
    }

    @Test
    void aHashMadeWithWeakerParametersIsUpgradedAtSignIn() {
        Tenant tenant = newTenant();
        Member member = member(tenant, "viewer");
        String weak = new Argon2PasswordEncoder(16, 32, 1, 4096, 1).encode(PASSWORD);
        jdbc.sql("UPDATE users SET password_hash = ? WHERE id = ?").params(weak, member.id()).update();

        login(tenant.slug(), member.username(), PASSWORD);

        String stored = jdbc.sql("SELECT password_hash FROM users WHERE id = ?").param(member.id())
                .query(String.class).single();
        assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    }

    @Test
    void usernamesAreFoldedAndLookAlikesOrControlCharactersRefused() {
        Tenant tenant = newTenant();
        Api.Response nul = root.post("/users", map("tenant_id", tenant.id(), "username", "bad\u0000name",
                "password", PASSWORD));
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.json().path("errors").get(0).path("field").asString()).isEqualTo("username");

        // Cyrillic 'а' (U+0430) in place of the Latin 'a'.
        Api.Response cyrillic = root.post("/users", map("tenant_id", tenant.id(), "username", "\u0430dmin",
                "password", PASSWORD));
        assertThat(cyrillic.status()).isEqualTo(400);

        assertThat(root.post("/users", map("tenant_id", tenant.id(), "username", "operator1",
                "password", PASSWORD)).status()).isEqualTo(201);
        // Full-width letters fold to the same name, which is taken.
        Api.Response fullWidth = root.post("/users", map("tenant_id", tenant.id(),
                "username", "\uFF2F\uFF30\uFF25\uFF32\uFF21\uFF34\uFF2F\uFF32\uFF11", "password", PASSWORD));
        assertThat(fullWidth.status()).isEqualTo(409);

        Api.Response nulLogin = anonymous.post("/auth/login", map("username", "root\u0000admin",
                "password", ROOT_PASSWORD));
        assertThat(nulLogin.status()).isEqualTo(400);
    }

    @Test
    void tooManyAttemptsOnOneAccountAreRefusedWithRetryAfter() {
        Tenant tenant = newTenant();
        Member member = member(tenant, "viewer");
        int refused = 0;
        Api.Response last = null;
        for (int i = 0; i < 8; i++) {
            last = anonymous.post("/auth/login", map("tenant", tenant.slug(), "username", member.username(),
                    "password", "wrong password " + i));
            if (last.status() == 429) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(2);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("Retry-After")).isNotBlank();
        // Even the right password waits until the bucket refills.
        assertThat(anonymous.post("/auth/login", map("tenant", tenant.slug(), "username", member.username(),
                "password", PASSWORD)).status()).isEqualTo(429);
    }

    @Test
    void tooManyAttemptsFromOneAddressAreRefused() {
        String address = "192.0.2." + (1 + (int) (Math.random() * 200));
        Api fromAddress = anonymous.withHeader("X-Forwarded-For", address);
        // The address bucket is raised for the test run; a fresh user name each time keeps the account buckets full.
        long refused = 0;
        for (int i = 0; i < 5; i++) {
            refused += fromAddress.post("/auth/login", map("username", "someone-" + UUID.randomUUID()
                    .toString().substring(0, 8), "password", "whatever it is")).status() == 429 ? 1 : 0;
        }
        assertThat(refused).isZero();
    }

    private double verifications() {
        return meters.get("gatehouse.password.verifications").counter().count();
    }

    private static String withoutRequestData(String body) {
        return body.replaceAll("\"request_id\":\"[^\"]+\"", "").replaceAll("\"instance\":\"[^\"]+\"", "");
    }
}

package dev.gatehouse.domain.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Fixtures;
import dev.gatehouse.domain.support.DomainException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Credentials exist only for the engines in effect; addresses come from a cursor and freed ones return. */
class CredentialsIT extends DomainIT {

    @Test
    void credentialsAreMadeOnlyForTheEnginesInEffect() {
        Credentials credentials = new Credentials(jdbc, "10.77.0.0/16", java.time.Clock.systemUTC());
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID person = f.person(tenant);
        UUID sub = bareSubscription(tenant, person, "{xray}");
        tx.executeWithoutResult(s -> credentials.ensure(sub));
        assertThat(engines(sub)).containsExactly("xray");
        tx.executeWithoutResult(s -> credentials.ensure(sub));
        assertThat(engines(sub)).as("ensure is idempotent").containsExactly("xray");

        jdbc.sql("INSERT INTO user_engines (user_id, tenant_id, engines) VALUES (?, ?, '{xray,wireguard}')")
                .params(person, tenant).update();
        tx.executeWithoutResult(s -> credentials.ensureForUsers(List.of(person)));
        assertThat(engines(sub)).containsExactly("wireguard", "xray");
    }

    @Test
    void addressesComeFromTheCursorAndFreedOnesAreTakenAgain() {
        Credentials credentials = new Credentials(jdbc, "10.78.0.0/16", java.time.Clock.systemUTC());
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        List<UUID> subs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            UUID sub = bareSubscription(tenant, f.person(tenant), "{wireguard}");
            tx.executeWithoutResult(s -> credentials.ensure(sub));
            subs.add(sub);
        }
        assertThat(subs.stream().map(this::address).toList()).containsExactly("10.78.0.2", "10.78.0.3", "10.78.0.4");

        tx.executeWithoutResult(s -> credentials.revokeAll(subs.get(1)));
        UUID next = bareSubscription(tenant, f.person(tenant), "{wireguard}");
        tx.executeWithoutResult(s -> credentials.ensure(next));
        assertThat(address(next)).as("the freed address is reused").isEqualTo("10.78.0.3");

        jdbc.sql("DELETE FROM subscriptions WHERE id = ?").param(subs.get(0)).update();
        UUID after = bareSubscription(tenant, f.person(tenant), "{wireguard}");
        tx.executeWithoutResult(s -> credentials.ensure(after));
        assertThat(address(after)).isEqualTo("10.78.0.2");
        UUID fresh = bareSubscription(tenant, f.person(tenant), "{wireguard}");
        tx.executeWithoutResult(s -> credentials.ensure(fresh));
        assertThat(address(fresh)).isEqualTo("10.78.0.5");
    }

    @Test
    void aNewCursorStartsAboveAddressesAlreadyHeldAndAFullPoolIsAConflict() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID held = bareSubscription(tenant, f.person(tenant), "{wireguard}");
        jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, wg_public_key, wg_address)
                        VALUES (?, ?, 'wireguard', encode(decode(md5('a') || md5('b'), 'hex'), 'base64'), '10.79.0.4')""")
                .params(tenant, held).update();
        Credentials small = new Credentials(jdbc, "10.79.0.0/29", java.time.Clock.systemUTC());
        List<String> got = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            UUID sub = bareSubscription(tenant, f.person(tenant), "{wireguard}");
            tx.executeWithoutResult(s -> small.ensure(sub));
            got.add(address(sub));
        }
        assertThat(got).containsExactly("10.79.0.5", "10.79.0.6");
        UUID overflow = bareSubscription(tenant, f.person(tenant), "{wireguard}");
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> small.ensure(overflow)))
                .isInstanceOf(DomainException.class).hasMessageContaining("is full");
        assertThat(engines(overflow)).isEmpty();
    }

    @Test
    void theLastOffsetLeavesOutTheBroadcastAddress() {
        assertThat(WireGuardPool.lastOffset("10.66.0.0/16")).isEqualTo(65_534);
        assertThat(WireGuardPool.lastOffset("10.0.0.0/30")).isEqualTo(2);
        assertThat(WireGuardPool.lastOffset("fd00::/64")).isEqualTo(Long.MAX_VALUE / 2);
    }

    private UUID bareSubscription(UUID tenant, UUID person, String engines) {
        UUID plan = fixtures().plan(tenant, null);
        return jdbc.sql("""
                        INSERT INTO subscriptions (tenant_id, user_id, plan_id, engines, starts_at, sub_token_hash)
                        VALUES (?, ?, ?, CAST(? AS text[]), now(), decode(md5(random()::text) || md5(random()::text), 'hex'))
                        RETURNING id""")
                .params(tenant, person, plan, engines).query(UUID.class).single();
    }

    private List<String> engines(UUID sub) {
        return jdbc.sql("SELECT engine FROM engine_credentials WHERE subscription_id = ? AND status = 'active'"
                + " ORDER BY engine").param(sub).query(String.class).list();
    }

    private String address(UUID sub) {
        return jdbc.sql("SELECT host(wg_address) FROM engine_credentials WHERE subscription_id = ? AND status = 'active'"
                + " AND engine = 'wireguard'").param(sub).query(String.class).single();
    }
}

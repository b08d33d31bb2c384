package dev.gatehouse.controlapi.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A tenant's time zone: an IANA name both Java and PostgreSQL know, whose calendar usage periods follow. */
class TenantTimeZoneIT extends ControlApiTest {

    @Test
    void aTenantIsInUtcUnlessGivenAZoneBothJavaAndPostgresqlKnow() {
        Tenant tenant = newTenant();
        assertThat(root.get("/tenants/" + tenant.id()).text("time_zone")).isEqualTo("UTC");

        Api.Response berlin = root.post("/tenants", map("name", "Berlin " + unique(), "slug", unique(),
                "time_zone", "Europe/Berlin"));
        assertThat(berlin.status()).as(berlin.body()).isEqualTo(201);
        assertThat(berlin.text("time_zone")).isEqualTo("Europe/Berlin");

        // Unknown, an offset java.time reads but PostgreSQL does not name, a name java.time rewrites,
        // the wrong case, and one PostgreSQL knows but java.time does not.
        for (String zone : List.of("Mars/Olympus_Mons", "+01:00", "GMT+1", "europe/berlin", "EST5EDT,M3.2.0",
                "posix/Europe/Berlin", "")) {
            Api.Response refused = root.post("/tenants", map("name", "Bad " + unique(), "slug", unique(),
                    "time_zone", zone));
            assertThat(refused.status()).as(zone + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.text("detail")).as(zone).startsWith("time_zone");
            assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("time_zone");

            Api.Response unchanged = root.patch("/tenants/" + tenant.id(), map("time_zone", zone));
            assertThat(unchanged.status()).as(zone + ": " + unchanged.body()).isEqualTo(400);
        }
        assertThat(root.get("/tenants/" + tenant.id()).text("time_zone")).isEqualTo("UTC");
    }

    @Test
    void changingTheZoneMovesTheNextResetToTheNewCalendarAndIsAudited() {
        Tenant tenant = newTenant();
        node(tenant, null);
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "daily", "quota_bytes", 1_000_000,
                "duration_days", 30, "engines", List.of("xray"), "reset_strategy", "day")).text("id");
        JsonNode created = subscribe(tenant, plan).path("subscription");
        String id = created.path("id").asString();
        Instant start = Instant.parse(created.path("starts_at").asString());
        assertThat(Instant.parse(created.path("next_reset_at").asString()))
                .isEqualTo(start.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS));

        Member owner = member(tenant, "owner");
        Api.Response changed = owner.api().patch("/tenants/" + tenant.id(), map("time_zone", "Pacific/Auckland"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.text("time_zone")).isEqualTo("Pacific/Auckland");

        ZoneId auckland = ZoneId.of("Pacific/Auckland");
        Instant localMidnight = start.atZone(auckland).toLocalDate().plusDays(1).atStartOfDay(auckland).toInstant();
        Instant next = Instant.parse(root.get("/subscriptions/" + id).text("next_reset_at"));
        assertThat(next).isEqualTo(localMidnight).isNotEqualTo(start.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS));

        JsonNode entry = root.get("/audit?tenant_id=" + tenant.id() + "&action=tenant.update").json().path("items").get(0);
        assertThat(entry.path("actor_id").asString()).isEqualTo(owner.id().toString());
        assertThat(entry.path("before").path("time_zone").asString()).isEqualTo("UTC");
        assertThat(entry.path("after").path("time_zone").asString()).isEqualTo("Pacific/Auckland");
    }

    @Test
    void aSubscriptionWithoutResetsHasNoNextReset() {
        Tenant tenant = newTenant();
        node(tenant, null);
        JsonNode created = subscribe(tenant, plan(tenant, null)).path("subscription");
        assertThat(created.path("reset_strategy").asString()).isEqualTo("no_reset");
        assertThat(created.path("next_reset_at").isNull()).isTrue();
    }

    private static String unique() {
        return "tz" + UUID.randomUUID().toString().substring(0, 10);
    }
}

package dev.gatehouse.controlapi.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Two tenants x every tenant-scoped route x every built-in role. A role that holds the route's
 * permission succeeds in its own tenant and gets 404 in the other (a list filtered on the other
 * tenant: 200, empty); one that does not gets 403 in both. The expected matrix is written out here, independently of the roles the database seeds.
 */
class TenancyMatrixIT extends ControlApiTest {

    /** The built-in roles as the product promises them; "X:OP" tenant-wide, "X:OP:SELF" own objects only. */
    private static final Map<BuiltinRole, Set<String>> PROMISED = new EnumMap<>(Map.of(
            BuiltinRole.OWNER, Set.of("TENANTS:READ", "TENANTS:UPDATE",
                    "USERS:CREATE", "USERS:READ", "USERS:UPDATE", "USERS:DELETE",
                    "PLANS:CREATE", "PLANS:READ", "PLANS:UPDATE", "PLANS:DELETE",
                    "SUBSCRIPTIONS:CREATE", "SUBSCRIPTIONS:READ", "SUBSCRIPTIONS:UPDATE", "SUBSCRIPTIONS:DELETE",
                    "NODES:CREATE", "NODES:READ", "NODES:UPDATE", "NODES:DELETE", "TRAFFIC:READ",
                    "ROLES:CREATE", "ROLES:READ", "ROLES:UPDATE", "ROLES:DELETE", "AUDIT:READ",
                    "WEBHOOKS:CREATE", "WEBHOOKS:READ", "WEBHOOKS:UPDATE", "WEBHOOKS:DELETE"),
            BuiltinRole.ADMIN, Set.of("TENANTS:READ",
                    "USERS:CREATE", "USERS:READ", "USERS:UPDATE", "USERS:DELETE",
                    "PLANS:CREATE", "PLANS:READ", "PLANS:UPDATE", "PLANS:DELETE",
                    "SUBSCRIPTIONS:CREATE", "SUBSCRIPTIONS:READ", "SUBSCRIPTIONS:UPDATE", "SUBSCRIPTIONS:DELETE",
                    "NODES:CREATE", "NODES:READ", "NODES:UPDATE", "NODES:DELETE", "TRAFFIC:READ",
                    "ROLES:READ", "AUDIT:READ",
                    "WEBHOOKS:CREATE", "WEBHOOKS:READ", "WEBHOOKS:UPDATE", "WEBHOOKS:DELETE"),
            BuiltinRole.OPERATOR, Set.of("TENANTS:READ", "USERS:CREATE", "USERS:READ", "USERS:UPDATE",
                    "SUBSCRIPTIONS:CREATE", "SUBSCRIPTIONS:READ", "SUBSCRIPTIONS:UPDATE", "PLANS:READ",
                    "NODES:READ", "TRAFFIC:READ"),
            BuiltinRole.VIEWER, Set.of("TENANTS:READ", "USERS:READ", "PLANS:READ", "SUBSCRIPTIONS:READ",
                    "NODES:READ", "TRAFFIC:READ"),
            BuiltinRole.SELF, Set.of("USERS:READ:SELF", "SUBSCRIPTIONS:READ:SELF", "TRAFFIC:READ:SELF")));

    private record Call(String method, String path, Object body) {
    }

    /** A route, the permission it needs, and how to aim it at a fresh object of a tenant. */
    private record Route(String name, Module module, Operation operation, int success,
                         Function<Tenant, Call> aimedAt) {
    }

    private List<Route> routes() {
        return List.of(
                new Route("GET /tenants/{id}", Module.TENANTS, Operation.READ, 200,
                        t -> new Call("GET", "/tenants/" + t.id(), null)),
                new Route("PATCH /tenants/{id}", Module.TENANTS, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/tenants/" + t.id(), map("name", "Renamed " + t.slug()))),
                new Route("DELETE /tenants/{id}", Module.TENANTS, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/tenants/" + t.id(), null)),
                new Route("GET /users/{id}", Module.USERS, Operation.READ, 200,
                        t -> new Call("GET", "/users/" + plainUser(t), null)),
                new Route("GET /users?tenant_id", Module.USERS, Operation.READ, 200,
                        t -> new Call("GET", "/users?tenant_id=" + t.id(), null)),
                new Route("POST /users", Module.USERS, Operation.CREATE, 201,
                        t -> new Call("POST", "/users", map("tenant_id", t.id(), "username", unique("new")))),
                new Route("PATCH /users/{id}", Module.USERS, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/users/" + plainUser(t), map("display_name", "Changed"))),
                new Route("POST /users/{id}/password", Module.USERS, Operation.UPDATE, 204,
                        t -> new Call("POST", "/users/" + plainUser(t) + "/password", map("password", PASSWORD))),
                new Route("DELETE /users/{id}", Module.USERS, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/users/" + plainUser(t), null)),
                new Route("GET /roles/{id}", Module.ROLES, Operation.READ, 200,
                        t -> new Call("GET", "/roles/" + customRole(t), null)),
                new Route("POST /roles", Module.ROLES, Operation.CREATE, 201,
                        t -> new Call("POST", "/roles", map("tenant_id", t.id(), "name", unique("role"),
                                "permissions", List.of("USERS:READ")))),
                new Route("PATCH /roles/{id}", Module.ROLES, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/roles/" + customRole(t), map("description", "changed"))),
                new Route("DELETE /roles/{id}", Module.ROLES, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/roles/" + customRole(t), null)),
                new Route("GET /memberships?tenant_id", Module.ROLES, Operation.READ, 200,
                        t -> new Call("GET", "/memberships?tenant_id=" + t.id(), null)),
                new Route("POST /memberships", Module.ROLES, Operation.CREATE, 201,
                        t -> new Call("POST", "/memberships", map("tenant_id", t.id(), "user_id", plainUser(t),
                                "role_id", BuiltinRole.VIEWER.id()))),
                new Route("DELETE /memberships/{id}", Module.ROLES, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/memberships/" + viewerMembership(t), null)),
                new Route("GET /audit?tenant_id", Module.AUDIT, Operation.READ, 200,
                        t -> new Call("GET", "/audit?tenant_id=" + t.id(), null)),
                new Route("GET /plans/{id}", Module.PLANS, Operation.READ, 200,
                        t -> new Call("GET", "/plans/" + plan(t, null), null)),
                new Route("POST /plans", Module.PLANS, Operation.CREATE, 201,
                        t -> new Call("POST", "/plans", map("tenant_id", t.id(), "name", unique("plan"),
                                "engines", List.of("xray")))),
                new Route("PATCH /plans/{id}", Module.PLANS, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/plans/" + plan(t, null), map("description", "x"))),
                new Route("DELETE /plans/{id}", Module.PLANS, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/plans/" + plan(t, null), null)),
                new Route("GET /plans?tenant_id", Module.PLANS, Operation.READ, 200,
                        t -> new Call("GET", "/plans?tenant_id=" + t.id(), null)),
                new Route("GET /nodes/{id}", Module.NODES, Operation.READ, 200,
                        t -> new Call("GET", "/nodes/" + node(t, null), null)),
                new Route("GET /nodes/{id}/health", Module.NODES, Operation.READ, 200,
                        t -> new Call("GET", "/nodes/" + node(t, null) + "/health", null)),
                new Route("POST /nodes", Module.NODES, Operation.CREATE, 201,
                        t -> new Call("POST", "/nodes", map("tenant_id", t.id(), "name", unique("node"),
                                "address", "n.example.net", "engines", map("xray", map("inbounds", List.of(
                                        map("tag", "in", "protocol", "vmess", "port", 1000))))))),
                new Route("PUT /nodes/{id}/policy", Module.NODES, Operation.UPDATE, 200,
                        t -> new Call("PUT", "/nodes/" + node(t, null) + "/policy", map("document", map("a", 1)))),
                new Route("POST /nodes/{id}/disable", Module.NODES, Operation.UPDATE, 200,
                        t -> new Call("POST", "/nodes/" + node(t, null) + "/disable", null)),
                new Route("DELETE /nodes/{id}", Module.NODES, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/nodes/" + node(t, null), null)),
                new Route("GET /subscriptions/{id}", Module.SUBSCRIPTIONS, Operation.READ, 200,
                        t -> new Call("GET", "/subscriptions/" + subscription(t), null)),
                new Route("GET /subscriptions?tenant_id", Module.SUBSCRIPTIONS, Operation.READ, 200,
                        t -> new Call("GET", "/subscriptions?tenant_id=" + t.id(), null)),
                new Route("POST /subscriptions", Module.SUBSCRIPTIONS, Operation.CREATE, 201,
                        t -> new Call("POST", "/subscriptions", map("user_id", plainUser(t),
                                "plan_id", planOf(t)))),
                new Route("PATCH /subscriptions/{id}", Module.SUBSCRIPTIONS, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/subscriptions/" + subscription(t), map("quota_bytes", 5))),
                new Route("POST /subscriptions/{id}/suspend", Module.SUBSCRIPTIONS, Operation.UPDATE, 200,
                        t -> new Call("POST", "/subscriptions/" + subscription(t) + "/suspend", null)),
                new Route("POST /subscriptions/bulk/suspend", Module.SUBSCRIPTIONS, Operation.UPDATE, 200,
                        t -> new Call("POST", "/subscriptions/bulk/suspend",
                                map("subscription_ids", List.of(subscription(t), subscription(t))))),
                new Route("DELETE /subscriptions/{id}", Module.SUBSCRIPTIONS, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/subscriptions/" + subscription(t), null)),
                new Route("POST /users/{id}/engines", Module.USERS, Operation.UPDATE, 200,
                        t -> new Call("POST", "/users/" + plainUser(t) + "/engines", map("engines", List.of("xray")))),
                new Route("GET /webhooks/{id}", Module.WEBHOOKS, Operation.READ, 200,
                        t -> new Call("GET", "/webhooks/" + webhook(t), null)),
                new Route("GET /webhooks?tenant_id", Module.WEBHOOKS, Operation.READ, 200,
                        t -> new Call("GET", "/webhooks?tenant_id=" + t.id(), null)),
                new Route("GET /webhooks/{id}/deliveries", Module.WEBHOOKS, Operation.READ, 200,
                        t -> new Call("GET", "/webhooks/" + webhook(t) + "/deliveries", null)),
                new Route("POST /webhooks", Module.WEBHOOKS, Operation.CREATE, 201,
                        t -> new Call("POST", "/webhooks", map("tenant_id", t.id(), "name", unique("hook"),
                                "url", "https://hooks.example.com/in", "events", List.of("expired")))),
                new Route("PATCH /webhooks/{id}", Module.WEBHOOKS, Operation.UPDATE, 200,
                        t -> new Call("PATCH", "/webhooks/" + webhook(t), map("enabled", false))),
                new Route("POST /webhooks/{id}/secret", Module.WEBHOOKS, Operation.UPDATE, 200,
                        t -> new Call("POST", "/webhooks/" + webhook(t) + "/secret", null)),
                new Route("DELETE /webhooks/{id}", Module.WEBHOOKS, Operation.DELETE, 204,
                        t -> new Call("DELETE", "/webhooks/" + webhook(t), null)));
    }

    @TestFactory
    Stream<DynamicTest> everyRoleOnEveryRouteInBothTenants() {
        Tenant own = newTenant();
        Tenant other = newTenant();
        Map<BuiltinRole, Member> members = new EnumMap<>(BuiltinRole.class);
        for (BuiltinRole role : BuiltinRole.values()) {
            members.put(role, member(own, role.name().toLowerCase(Locale.ROOT)));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Route route : routes()) {
            for (BuiltinRole role : BuiltinRole.values()) {
                for (boolean inOwnTenant : new boolean[] {true, false}) {
                    int expected = expected(role, route, inOwnTenant);
                    String name = route.name() + " as " + role + " in " + (inOwnTenant ? "own" : "other")
                            + " tenant -> " + expected;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        Call call = route.aimedAt().apply(inOwnTenant ? own : other);
                        Api.Response response = members.get(role).api().send(call.method(), call.path(), call.body());
                        assertThat(response.status()).as(name + ": " + response.body()).isEqualTo(expected);
                    }));
                }
            }
        }
        return tests.stream();
    }

    private static int expected(BuiltinRole role, Route route, boolean inOwnTenant) {
        String permission = route.module() + ":" + route.operation();
        boolean wide = PROMISED.get(role).contains(permission);
        boolean self = PROMISED.get(role).contains(permission + ":SELF");
        if (!wide && !self) {
            return 403;
        }
        if (!inOwnTenant) {
            // Another tenant's object does not exist for the caller; a list filtered on that tenant is empty.
            return route.name().contains("?") ? 200 : 404;
        }
        if (wide) {
            return route.success();
        }
        // Own objects only: a list shows just the caller; someone else's object does not exist for them.
        return route.name().contains("?") ? 200 : 404;
    }

    private String plainUser(Tenant tenant) {
        Api.Response user = root.post("/users", map("tenant_id", tenant.id(), "username", unique("target")));
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        return user.text("id");
    }

    private final java.util.Map<UUID, String> plans = new java.util.concurrent.ConcurrentHashMap<>();

    /** One plan and node per tenant, made on first use, for the subscriptions the routes aim at. */
    private String planOf(Tenant tenant) {
        return plans.computeIfAbsent(tenant.id(), id -> {
            node(tenant, null);
            return plan(tenant, null);
        });
    }

    private String subscription(Tenant tenant) {
        return subscribe(tenant, planOf(tenant)).path("subscription").path("id").asString();
    }

    private String webhook(Tenant tenant) {
        Api.Response webhook = root.post("/webhooks", map("tenant_id", tenant.id(), "name", unique("hook"),
                "url", "https://hooks.example.com/in", "events", List.of("usage_80")));
        assertThat(webhook.status()).as(webhook.body()).isEqualTo(201);
        return webhook.json().path("webhook").path("id").asString();
    }

    private String customRole(Tenant tenant) {
        Api.Response role = root.post("/roles", map("tenant_id", tenant.id(), "name", unique("custom"),
                "permissions", List.of("USERS:READ")));
        assertThat(role.status()).as(role.body()).isEqualTo(201);
        return role.text("id");
    }

    private String viewerMembership(Tenant tenant) {
        Api.Response membership = root.post("/memberships", map("tenant_id", tenant.id(), "user_id",
                plainUser(tenant), "role_id", BuiltinRole.VIEWER.id()));
        assertThat(membership.status()).as(membership.body()).isEqualTo(201);
        return membership.text("id");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

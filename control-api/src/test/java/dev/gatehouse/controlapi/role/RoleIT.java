package dev.gatehouse.controlapi.role;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Roles are data: custom matrices take effect on the next request, and nobody grants more than they hold. */
class RoleIT extends ControlApiTest {

    @Test
    void aChangedMatrixTakesEffectOnTheNextRequest() {
        Tenant tenant = newTenant();
        Api.Response role = root.post("/roles", map("tenant_id", tenant.id(), "name", "auditor",
                "permissions", List.of("AUDIT:READ")));
        assertThat(role.status()).isEqualTo(201);
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "auditor-person",
                "password", PASSWORD)).text("id");
        root.post("/memberships", map("tenant_id", tenant.id(), "user_id", user, "role_id", role.text("id")));
        Api auditor = anonymous.as(login(tenant.slug(), "auditor-person", PASSWORD).text("access_token"));
        assertThat(auditor.get("/audit").status()).isEqualTo(200);
        assertThat(auditor.get("/users").status()).isEqualTo(403);

        assertThat(root.patch("/roles/" + role.text("id"), map("permissions", List.of("USERS:READ"))).status())
                .isEqualTo(200);

        assertThat(auditor.get("/audit").status()).isEqualTo(403);
        assertThat(auditor.get("/users").status()).isEqualTo(200);
    }

    @Test
    void builtInRolesCannotBeChangedOrDeleted() {
        String viewer = BuiltinRole.VIEWER.id().toString();
        assertThat(root.patch("/roles/" + viewer, map("permissions", List.of("USERS:DELETE"))).status())
                .isEqualTo(403);
        assertThat(root.delete("/roles/" + viewer).status()).isEqualTo(403);
        assertThat(root.get("/roles/" + viewer).json().path("permissions").size()).isEqualTo(6);
    }

    @Test
    void nobodyGrantsOrCreatesMoreThanTheyHold() {
        Tenant tenant = newTenant();
        Api.Response limited = root.post("/roles", map("tenant_id", tenant.id(), "name", "role-admin",
                "permissions", List.of("ROLES:CREATE", "ROLES:READ", "USERS:READ")));
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "role-admin-person",
                "password", PASSWORD)).text("id");
        root.post("/memberships", map("tenant_id", tenant.id(), "user_id", user, "role_id", limited.text("id")));
        Api roleAdmin = anonymous.as(login(tenant.slug(), "role-admin-person", PASSWORD).text("access_token"));

        assertThat(roleAdmin.post("/roles", map("tenant_id", tenant.id(), "name", "bigger",
                "permissions", List.of("USERS:DELETE"))).status()).isEqualTo(403);
        String target = root.post("/users", map("tenant_id", tenant.id(), "username", "someone")).text("id");
        assertThat(roleAdmin.post("/memberships", map("tenant_id", tenant.id(), "user_id", target,
                "role_id", BuiltinRole.OWNER.id())).status()).isEqualTo(403);
        assertThat(roleAdmin.post("/roles", map("tenant_id", tenant.id(), "name", "smaller",
                "permissions", List.of("USERS:READ"))).status()).isEqualTo(201);
    }

    @Test
    void aRoleInUseCannotBeDeleted() {
        Tenant tenant = newTenant();
        String role = root.post("/roles", map("tenant_id", tenant.id(), "name", "in-use",
                "permissions", List.of("USERS:READ"))).text("id");
        String user = root.post("/users", map("tenant_id", tenant.id(), "username", "holder")).text("id");
        root.post("/memberships", map("tenant_id", tenant.id(), "user_id", user, "role_id", role));
        Api.Response refused = root.delete("/roles/" + role);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("detail")).contains("memberships");
    }
}

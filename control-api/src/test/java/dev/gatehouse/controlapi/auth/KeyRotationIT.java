package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import org.junit.jupiter.api.Test;

/** A new signing key takes over at once; tokens signed with the previous one stay valid until they expire. */
class KeyRotationIT extends ControlApiTest {

    @Test
    void rotationChangesTheKidAndKeepsEarlierTokensValid() throws Exception {
        Tenant tenant = newTenant();
        Member before = member(tenant, "viewer");
        String oldKid = SignedJWT.parse(before.accessToken()).getHeader().getKeyID();

        Api.Response rotated = root.post("/auth/keys/rotate", null);
        assertThat(rotated.status()).isEqualTo(200);
        String newKid = rotated.text("signing_kid");
        assertThat(newKid).isNotEqualTo(oldKid);

        Api.Response after = login(tenant.slug(), before.username(), PASSWORD);
        assertThat(SignedJWT.parse(after.text("access_token")).getHeader().getKeyID()).isEqualTo(newKid);
        assertThat(before.api().get("/auth/me").status()).isEqualTo(200);
    }

    @Test
    void onlyAPlatformAdminMayRotate() {
        Member owner = member(newTenant(), "owner");
        assertThat(owner.api().post("/auth/keys/rotate", null).status()).isEqualTo(403);
    }
}

package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.token.OpaqueToken;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every malformed or forged access token is refused with 401. Each forgery starts from a token
 * that would pass (signed with the real key, all claims right) and breaks exactly one thing.
 */
class AccessTokenRejectionIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    private Member member;
    private JWTClaimsSet realClaims;
    private String kid;
    private byte[] secret;

    @BeforeEach
    void realToken() throws Exception {
        member = member(newTenant(), "viewer");
        SignedJWT issued = SignedJWT.parse(member.accessToken());
        realClaims = issued.getJWTClaimsSet();
        kid = issued.getHeader().getKeyID();
        secret = jdbc.sql("SELECT secret FROM jwt_signing_keys WHERE kid = ?").param(kid).query(byte[].class).single();
    }

    @Test
    void aForgeryWithNothingWrongIsAcceptedSoTheOthersProveSomething() throws Exception {
        assertAccepted(sign(header(), claims(c -> { })));
    }

    @Test
    void algNoneInAnySpellingIsRefused() {
        String payload = Base64URL.encode(realClaims.toString()).toString();
        for (String alg : new String[] {"none", "NONE", "None"}) {
            String head = Base64URL.encode(("{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\",\"kid\":\"" + kid + "\"}")
                    .getBytes(StandardCharsets.UTF_8)).toString();
            assertRefused(head + "." + payload + ".");
        }
    }

    @Test
    void anRs256TokenIsRefusedEvenWithAKnownKid() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
                .keyID(kid).build(), claims(c -> { }));
        jwt.sign(new RSASSASigner((RSAPrivateKey) generator.generateKeyPair().getPrivate()));
        assertRefused(jwt.serialize());
    }

    @Test
    void anotherHmacAlgorithmIsRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS512).type(new JOSEObjectType("at+jwt"))
                .keyID(kid).build(), claims(c -> { }));
        byte[] longKey = new byte[64];
        System.arraycopy(secret, 0, longKey, 0, secret.length);
        jwt.sign(new MACSigner(longKey));
        assertRefused(jwt.serialize());
    }

    @Test
    void anUnknownKidOrNoKidIsRefused() throws Exception {
        assertRefused(sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt"))
                .keyID("unknown-key-id").build(), claims(c -> { })));
        assertRefused(sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build(),
                claims(c -> { })));
    }

    @Test
    void aWrongSignatureIsRefused() throws Exception {
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        SignedJWT jwt = new SignedJWT(header(), claims(c -> { }));
        jwt.sign(new MACSigner(other));
        assertRefused(jwt.serialize());
    }

    @Test
    void expiredNotYetValidOrWithoutExpiryIsRefused() throws Exception {
        Instant now = Instant.now();
        assertRefused(sign(header(), claims(c -> c.expirationTime(Date.from(now.minusSeconds(120))))));
        assertRefused(sign(header(), claims(c -> c.notBeforeTime(Date.from(now.plusSeconds(600))))));
        assertRefused(sign(header(), claims(c -> c.expirationTime(null))));
    }

    @Test
    void wrongAudienceIssuerOrTypeIsRefused() throws Exception {
        assertRefused(sign(header(), claims(c -> c.audience("someone-else"))));
        assertRefused(sign(header(), claims(c -> c.issuer("https://evil.example"))));
        assertRefused(sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID(kid).build(),
                claims(c -> { })));
        assertRefused(sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims(c -> { })));
    }

    @Test
    void aTokenForAnotherSessionOrUserIsRefused() throws Exception {
        assertRefused(sign(header(), claims(c -> c.claim("sid", "not-a-uuid"))));
        assertRefused(sign(header(), claims(c -> c.subject(UUID.randomUUID().toString()))));
    }

    @Test
    void otherKindsOfTokenAreNotAccessTokens() {
        assertRefused(member.refreshToken());
        for (OpaqueToken kind : OpaqueToken.values()) {
            assertRefused(kind.generate());
        }
        assertRefused("not a token at all");
    }

    private JWSHeader header() {
        return new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID(kid).build();
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder(realClaims)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString());
        change.accept(builder);
        return builder.build();
    }

    private String sign(JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private void assertRefused(String token) {
        var response = anonymous.as(token).get("/auth/me");
        assertThat(response.status()).as(token).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }

    private void assertAccepted(String token) {
        assertThat(anonymous.as(token).get("/auth/me").status()).isEqualTo(200);
    }
}

package dev.gatehouse.controlapi.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Issues and verifies access tokens: HS256 JWTs of type at+jwt with a key id, issuer, audience,
 * expiry and not-before. Only HS256 is accepted, only with one of Gatehouse's own keys, and every
 * one of those claims must be present and right.
 */
@Component
class AccessTokens {

    static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** What a verified access token says. */
    record Claims(UUID userId, UUID sessionId, Instant issuedAt) {
    }

    private final SigningKeys keys;
    private final Clock clock;
    private final ControlApiProperties.Tokens settings;
    private final DefaultJWTProcessor<SecurityContext> processor;

    AccessTokens(SigningKeys keys, Clock clock, ControlApiProperties properties) {
        this.keys = keys;
        this.clock = clock;
        this.settings = properties.tokens();
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPE));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new KeysById()));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(settings.audience())),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
                new HashSet<>(Set.of("sub", "sid", "exp", "iat", "nbf", "jti")),
                new HashSet<>()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    Duration ttl() {
        return settings.accessTtl();
    }

    String issue(UUID userId, UUID sessionId) {
        SigningKeys.Key key = keys.signing();
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.audience())
                .subject(userId.toString())
                .claim("sid", sessionId.toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(settings.accessTtl())))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).keyID(key.kid()).build(),
                claims);
        try {
            jwt.sign(new MACSigner(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
        return jwt.serialize();
    }

    /** Verifies the token completely; throws {@link InvalidTokenException} with the reason otherwise. */
    Claims verify(String token) {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            return new Claims(UUID.fromString(claims.getSubject()), UUID.fromString(claims.getStringClaim("sid")),
                    claims.getIssueTime().toInstant());
        } catch (ParseException e) {
            throw new InvalidTokenException("not a well-formed access token");
        } catch (com.nimbusds.jwt.proc.ExpiredJWTException e) {
            throw new InvalidTokenException("the access token has expired; refresh it or sign in again");
        } catch (com.nimbusds.jwt.proc.BadJWTException e) {
            // Our own words, never the JWT library's: its messages name claims, algorithms and classes.
            throw new InvalidTokenException("the access token was not issued for this API or is not valid yet");
        } catch (BadJOSEException | JOSEException e) {
            throw new InvalidTokenException("the access token's signature cannot be verified");
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the token's subject or session is not an id");
        }
    }

    /** Selects the HS256 key named by the token's kid; a token without a known kid gets none. */
    private final class KeysById implements JWKSource<SecurityContext> {
        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            JWKMatcher matcher = selector.getMatcher();
            if (matcher.getKeyIDs() == null || matcher.getKeyIDs().size() != 1) {
                return List.of();
            }
            String kid = matcher.getKeyIDs().iterator().next();
            return keys.find(kid)
                    .<List<JWK>>map(k -> List.of(new OctetSequenceKey.Builder(k.secret()).keyID(k.kid())
                            .algorithm(JWSAlgorithm.HS256).build()))
                    .orElse(List.of());
        }
    }
}

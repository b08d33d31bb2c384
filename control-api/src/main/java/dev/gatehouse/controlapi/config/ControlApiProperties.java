package dev.gatehouse.controlapi.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of control-api, under {@code gatehouse.control-api}; defaults are in application.yml.
 * The data key is the domain core's ({@code gatehouse.domain.data-key}).
 */
@Validated
@ConfigurationProperties("gatehouse.control-api")
public record ControlApiProperties(@Valid @NotNull Tokens tokens,
                                   @Valid @NotNull Passwords passwords,
                                   @Valid @NotNull Login login,
                                   @Valid @NotNull Network network,
                                   @Valid @NotNull Http http,
                                   @Valid @NotNull Bootstrap bootstrap,
                                   @Valid @NotNull Enrollment enrollment) {

    /**
     * @param issuer        the iss of access tokens, and the only one accepted
     * @param audience      the aud of access tokens, and the only one accepted
     * @param accessTtl     lifetime of an access token
     * @param refreshTtl    lifetime of a session and its refresh tokens
     * @param refreshGrace  how long a just-rotated refresh token may still be presented (a lost response)
     * @param keyRotation   age after which a new signing key is made; older keys still verify for a while
     */
    public record Tokens(@NotBlank String issuer,
                         @NotBlank String audience,
                         @NotNull Duration accessTtl,
                         @NotNull Duration refreshTtl,
                         @NotNull Duration refreshGrace,
                         @NotNull Duration keyRotation) {
    }

    /**
     * Argon2id parameters (OWASP minimum: 19456 KiB, 2 iterations, parallelism 1) and how many
     * hashes may run at once, so that a login flood cannot exhaust memory.
     */
    public record Passwords(@Min(19456) int memoryKib,
                            @Min(2) int iterations,
                            @Min(1) int parallelism,
                            @Min(1) @Max(64) int maxConcurrentHashes,
                            @Min(8) int minLength,
                            @Max(4096) int maxLength) {
    }

    /** Token buckets in Redis: per account and per client address. */
    public record Login(@Min(1) int accountCapacity,
                        @NotNull Duration accountRefillPeriod,
                        @Min(1) int addressCapacity,
                        @NotNull Duration addressRefillPeriod) {
    }

    /**
     * @param trustedProxies      CIDRs whose client-address header is believed (Caddy)
     * @param clientAddressHeader the one header those proxies set to the client's address:
     *                            {@code X-Forwarded-For} (Caddy, nginx, most load balancers) or
     *                            {@code Forwarded} (RFC 7239); every other forwarding header is ignored
     * @param adminAllowlist      CIDRs allowed to call the admin API; empty allows every address
     */
    public record Network(@DefaultValue List<String> trustedProxies,
                          @DefaultValue("X-Forwarded-For")
                          @jakarta.validation.constraints.Pattern(regexp = "(?i)^(X-Forwarded-For|Forwarded)$",
                                  message = "must be X-Forwarded-For or Forwarded") String clientAddressHeader,
                          @DefaultValue List<String> adminAllowlist) {
    }

    /**
     * @param collectorAddress host:port of the collector's gRPC mTLS endpoint that enrolled agents
     *                         connect to; told to each agent with its certificate
     */
    public record Enrollment(@jakarta.validation.constraints.NotBlank String collectorAddress) {
    }

    /** @param maxBodyBytes largest request body accepted (lists page at most 200 items, fixed) */
    public record Http(@Min(1024) long maxBodyBytes) {
    }

    /** For automation: the first platform admin, read once at the first start when no admin exists. */
    public record Bootstrap(String adminUsername, String adminPassword) {
    }
}

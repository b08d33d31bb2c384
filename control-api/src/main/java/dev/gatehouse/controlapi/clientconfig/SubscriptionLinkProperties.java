package dev.gatehouse.controlapi.clientconfig;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of /sub/{token}, under {@code gatehouse.control-api.subscription}: which format a client
 * app gets, chosen by the first User-Agent rule whose pattern matches (case-insensitive regex).
 *
 * @param updateIntervalHours the profile-update-interval header
 * @param title               the profile-title header
 * @param webPageBase         absolute base URL of the panel for profile-web-page-url; empty uses the request's
 */
@Validated
@ConfigurationProperties("gatehouse.control-api.subscription")
record SubscriptionLinkProperties(@DefaultValue List<UserAgentRule> userAgentRules,
                                  @DefaultValue("12") @Min(1) int updateIntervalHours,
                                  @DefaultValue("Gatehouse") @NotBlank String title,
                                  @DefaultValue("") String webPageBase) {

    /** A client app's User-Agent pattern and the format it gets. */
    record UserAgentRule(@NotBlank String pattern, @NotBlank String format) {
    }
}

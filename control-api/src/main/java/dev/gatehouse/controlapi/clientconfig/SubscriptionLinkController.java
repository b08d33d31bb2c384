package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.controlapi.access.PublicRoute;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.controlapi.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * /sub/{token}: the subscription link client apps import, without a login. The opaque token is the
 * credential; a rotated one is 404 at once. The format comes from ?format=, else the first
 * configured User-Agent rule that matches, else HTML for a browser and base64 links for anyone else.
 */
@RestController
@EnableConfigurationProperties(SubscriptionLinkProperties.class)
class SubscriptionLinkController {

    private static final int USER_AGENT_CHARS = 512;

    private final ClientModel model;
    private final SubscriptionFormats formats;
    private final SubscriptionPage page;
    private final WireGuardConfig wireguard;
    private final SubscriptionLinkProperties settings;
    private final List<Pattern> patterns;

    SubscriptionLinkController(ClientModel model, SubscriptionFormats formats, SubscriptionPage page,
                               WireGuardConfig wireguard, SubscriptionLinkProperties settings) {
        this.model = model;
        this.formats = formats;
        this.page = page;
        this.wireguard = wireguard;
        this.settings = settings;
        this.patterns = settings.userAgentRules().stream()
                .map(r -> Pattern.compile(r.pattern(), Pattern.CASE_INSENSITIVE)).toList();
        for (var rule : settings.userAgentRules()) {
            if (!SubscriptionFormats.FORMATS.contains(rule.format())) {
                throw new IllegalArgumentException("gatehouse.control-api.subscription.user-agent-rules: unknown format '"
                        + rule.format() + "'; use one of " + SubscriptionFormats.FORMATS);
            }
        }
    }

    @GetMapping("/sub/{token}")
    @PublicRoute("the opaque subscription token is the credential")
    @io.swagger.v3.oas.annotations.Operation(summary = "Subscription link for client apps (no login): format="
            + "base64|links|clash|sing-box|xray|wireguard|outline|html, else chosen by User-Agent")
    ResponseEntity<String> subscriptionLink(@PathVariable String token,
                                        @RequestParam(required = false) String format,
                                        @RequestHeader(value = HttpHeaders.USER_AGENT, required = false) String agent,
                                        @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                                        HttpServletRequest request) {
        // Unknown, rotated and malformed tokens all cost one indexed lookup and answer the same 404.
        ClientModel.Holder holder = model.holderOfToken(OpaqueToken.hash(token == null ? "" : token))
                .filter(h -> OpaqueToken.SUBSCRIPTION.matches(token))
                .orElseThrow(() -> ApiException.notFound("subscription"));
        String chosen = choose(format, agent, accept);
        List<ClientEndpoint> endpoints = model.endpoints(holder.userId()).stream()
                .filter(e -> e.subscriptionId().equals(holder.subscriptionId())).toList();

        HttpHeaders headers = new HttpHeaders();
        headers.set("subscription-userinfo", "upload=" + holder.upload() + "; download=" + holder.download()
                + "; total=" + (holder.total() == null ? 0 : holder.total()) + "; expire="
                + (holder.expiresAt() == null ? 0 : holder.expiresAt().getEpochSecond()));
        headers.set("profile-update-interval", String.valueOf(settings.updateIntervalHours()));
        headers.set("profile-title", "base64:" + Base64.getEncoder().encodeToString(
                (settings.title() + " - " + holder.username()).getBytes(StandardCharsets.UTF_8)));
        headers.set("profile-web-page-url", webPage(request, token));
        headers.setCacheControl("no-store");

        if (chosen == null) {
            // A client app with a mistyped link gets a document it can read, not a failure.
            return ResponseEntity.ok().headers(headers).contentType(MediaType.parseMediaType("text/plain;charset=UTF-8"))
                    .body("# unknown format '" + format.replaceAll("[^A-Za-z0-9_.-]", "?") + "'; use one of "
                            + new java.util.TreeSet<>(SubscriptionFormats.FORMATS) + "\n");
        }
        if ("html".equals(chosen)) {
            List<SubscriptionPage.Item> items = new ArrayList<>();
            for (ClientEndpoint e : endpoints) {
                items.add(new SubscriptionPage.Item(e.remark(), e.engine() == Engine.XRAY
                        ? formats.shareLinks(List.of(e)).get(0) : wireguard.render(e)));
            }
            headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
            return ResponseEntity.ok().headers(headers).contentType(MediaType.TEXT_HTML)
                    .body(page.render(holder, settings.title(), items));
        }
        SubscriptionFormats.Document document = formats.render(chosen, endpoints);
        headers.set(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + holder.username() + "."
                + document.extension() + "\"");
        return ResponseEntity.ok().headers(headers)
                .contentType(MediaType.parseMediaType(document.mediaType() + ";charset=UTF-8"))
                .body(document.body());
    }

    /** The format to render; null for a format name Gatehouse does not know. */
    private String choose(String format, String agent, String accept) {
        if (format != null) {
            String f = format.trim().toLowerCase(Locale.ROOT);
            return SubscriptionFormats.FORMATS.contains(f) ? f : null;
        }
        String ua = agent == null ? "" : agent.substring(0, Math.min(agent.length(), USER_AGENT_CHARS));
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matcher(ua).find()) {
                return settings.userAgentRules().get(i).format();
            }
        }
        return accept != null && accept.contains("text/html") ? "html" : "base64";
    }

    private String webPage(HttpServletRequest request, String token) {
        String base = settings.webPageBase().isBlank()
                ? request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort()
                : settings.webPageBase().replaceAll("/+$", "");
        return base + "/sub/" + token + "?format=html";
    }
}

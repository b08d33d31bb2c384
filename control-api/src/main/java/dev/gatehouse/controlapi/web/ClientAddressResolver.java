package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The client's real address. Forwarding headers are believed only when the peer is a trusted
 * proxy, and then read from the right: the first address that is not a trusted proxy is the client.
 */
@Component
public class ClientAddressResolver {

    private final CidrSet trustedProxies;

    public ClientAddressResolver(ControlApiProperties properties) {
        this.trustedProxies = CidrSet.parse("gatehouse.control-api.network.trusted-proxies",
                properties.network().trustedProxies());
    }

    public InetAddress resolve(HttpServletRequest request) {
        InetAddress peer = CidrSet.literal(request.getRemoteAddr());
        if (peer == null || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> chain = forwardedChain(request);
        Collections.reverse(chain);
        InetAddress client = peer;
        for (String hop : chain) {
            InetAddress address = CidrSet.literal(hop);
            if (address == null) {
                break;
            }
            client = address;
            if (!trustedProxies.contains(address)) {
                break;
            }
        }
        return client;
    }

    private static List<String> forwardedChain(HttpServletRequest request) {
        List<String> hops = new ArrayList<>();
        var forwarded = request.getHeaders("Forwarded");
        while (forwarded != null && forwarded.hasMoreElements()) {
            for (String element : forwarded.nextElement().split(",")) {
                for (String pair : element.split(";")) {
                    String p = pair.trim();
                    if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                        hops.add(unquoteForwardedFor(p.substring(4)));
                    }
                }
            }
        }
        if (!hops.isEmpty()) {
            return hops;
        }
        var xff = request.getHeaders("X-Forwarded-For");
        while (xff != null && xff.hasMoreElements()) {
            for (String hop : xff.nextElement().split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        return hops;
    }

    private static String unquoteForwardedFor(String value) {
        String v = value.trim();
        if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
            v = v.substring(1, v.length() - 1);
        }
        if (v.startsWith("[")) {
            int end = v.indexOf(']');
            return end > 0 ? v.substring(1, end) : v;
        }
        int colon = v.indexOf(':');
        return colon > 0 && v.indexOf(':', colon + 1) < 0 ? v.substring(0, colon) : v;
    }
}

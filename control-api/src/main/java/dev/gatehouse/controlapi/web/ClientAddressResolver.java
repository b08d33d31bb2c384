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
 * The client's real address. Only the one header the configured proxy sets is read, and only when
 * the peer is a trusted proxy; it is read from the right: the first address that is not a trusted
 * proxy is the client. Reading any other forwarding header would let a client name its own address,
 * since a proxy passes on what it does not set (Caddy passes a client's {@code Forwarded} untouched).
 */
@Component
public class ClientAddressResolver {

    private final CidrSet trustedProxies;
    private final String header;
    private final boolean rfc7239;

    public ClientAddressResolver(ControlApiProperties properties) {
        this.trustedProxies = CidrSet.parse("gatehouse.control-api.network.trusted-proxies",
                properties.network().trustedProxies());
        this.header = properties.network().clientAddressHeader();
        this.rfc7239 = "Forwarded".equalsIgnoreCase(header);
    }

    public InetAddress resolve(HttpServletRequest request) {
        InetAddress peer = CidrSet.literal(request.getRemoteAddr());
        if (peer == null || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> chain = rfc7239 ? forwardedChain(request) : listChain(request);
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

    private List<String> forwardedChain(HttpServletRequest request) {
        List<String> hops = new ArrayList<>();
        var forwarded = request.getHeaders(header);
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
        return hops;
    }

    private List<String> listChain(HttpServletRequest request) {
        List<String> hops = new ArrayList<>();
        var xff = request.getHeaders(header);
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

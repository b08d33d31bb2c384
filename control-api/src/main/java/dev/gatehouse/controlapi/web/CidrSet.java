package dev.gatehouse.controlapi.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * A set of CIDR ranges, IPv4 and IPv6. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are compared as
 * the IPv4 address they carry, whichever way the range or the address is written.
 */
public final class CidrSet {

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");

    private final List<IpAddressMatcher> matchers;

    private CidrSet(List<IpAddressMatcher> matchers) {
        this.matchers = matchers;
    }

    /** Parses the ranges, failing at start with the setting's name on a bad one. */
    public static CidrSet parse(String setting, List<String> cidrs) {
        List<IpAddressMatcher> matchers = new ArrayList<>();
        for (String cidr : cidrs) {
            String c = cidr.trim();
            String[] parts = c.split("/", 2);
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException(setting + ": '" + cidr + "' is not an IP address or CIDR range");
            }
            int maxBits = address instanceof Inet4Address ? 32 : 128;
            // An IPv4-mapped range (::ffff:a.b.c.d/120) is held as the IPv4 range it covers.
            int mappedOffset = address instanceof Inet4Address && parts[0].contains(":") ? 96 : 0;
            int bits = maxBits;
            if (parts.length == 2) {
                try {
                    bits = Integer.parseInt(parts[1]) - mappedOffset;
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > maxBits) {
                    throw new IllegalArgumentException(setting + ": '" + cidr + "' has a bad prefix length");
                }
            }
            matchers.add(new IpAddressMatcher(address.getHostAddress() + "/" + bits));
        }
        return new CidrSet(List.copyOf(matchers));
    }

    public boolean isEmpty() {
        return matchers.isEmpty();
    }

    public boolean contains(InetAddress address) {
        String text = address.getHostAddress();
        for (IpAddressMatcher m : matchers) {
            if (m.matches(text)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses an IP literal without any name lookup; null when the text is not one. An IPv4-mapped
     * IPv6 literal comes back as its IPv4 address.
     */
    public static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        boolean v4 = IPV4.matcher(t).matches();
        boolean ipv6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !ipv6) {
            return null;
        }
        try {
            InetAddress address = InetAddress.getByName(t);
            if (address instanceof Inet6Address v6) {
                byte[] b = v6.getAddress();
                boolean mapped = true;
                for (int i = 0; i < 10; i++) {
                    mapped &= b[i] == 0;
                }
                if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                }
            }
            return address;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address with a prefix length, parsed strictly and without any name lookup, so a
 * credential's allowed IPs and the interface address are checked before they reach {@code wg} or
 * {@code ip}. The address is kept in one spelling per family so that two texts for the same prefix
 * compare equal, as {@code wg} prints them back in its own spelling.
 */
record Cidr(String address, int prefix) {

    /** Parses {@code ADDRESS/PREFIX}; throws {@link IllegalArgumentException} naming the text. */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/')) {
            throw invalid(text);
        }
        String host = text.substring(0, slash);
        byte[] bytes = host.indexOf(':') >= 0 ? ipv6(host, text) : ipv4(host, text);
        int prefix = number(text.substring(slash + 1), bytes.length * 8, text);
        return new Cidr(spell(bytes), prefix);
    }

    /** The network this prefix names: host bits cleared, as {@code wg} stores an allowed IP. */
    Cidr network() {
        byte[] bytes = bytes();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new Cidr(spell(bytes), prefix);
    }

    @Override
    public String toString() {
        return address + "/" + prefix;
    }

    private byte[] bytes() {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a parsed address no longer parses: " + address, e);
        }
    }

    private static byte[] ipv4(String host, String text) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw invalid(text);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) number(parts[i], 255, text);
        }
        return bytes;
    }

    /** Only hex digits, colons and dots reach the JDK, and always with a colon, so it never resolves a name. */
    private static byte[] ipv6(String host, String text) {
        char first = host.charAt(0);
        if (!(first == ':' || Character.digit(first, 16) >= 0)) {
            throw invalid(text);
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                throw invalid(text);
            }
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            if (!(address instanceof Inet6Address)) {
                throw invalid(text); // an IPv4-mapped address: the IPv4 spelling is the one to use
            }
            return address.getAddress();
        } catch (UnknownHostException e) {
            throw invalid(text);
        }
    }

    private static int number(String digits, int max, String text) {
        if (digits.isEmpty() || digits.length() > 3 || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw invalid(text);
        }
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid(text);
            }
            value = value * 10 + (c - '0');
        }
        if (value > max) {
            throw invalid(text);
        }
        return value;
    }

    private static String spell(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address with a prefix length");
    }
}

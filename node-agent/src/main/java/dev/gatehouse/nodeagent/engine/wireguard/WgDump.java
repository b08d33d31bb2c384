package dev.gatehouse.nodeagent.engine.wireguard;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code wg show IF dump} prints, parsed in one pass over the text (a node with ten thousand
 * peers reads it every counter round). The dump's first line carries the interface's private key
 * and every peer line its preshared key: neither is kept, and no error message quotes a line.
 *
 * @param iface the interface line
 * @param peers one entry per peer line, in the dump's order
 */
public record WgDump(Interface iface, List<Peer> peers) {

    private static final String NONE = "(none)";
    private static final String OFF = "off";

    /**
     * The interface line without its private key.
     *
     * @param publicKey null while the interface has no private key
     * @param listenPort 0 while the interface does not listen
     */
    public record Interface(String publicKey, int listenPort) {
    }

    /**
     * One peer line without its preshared key.
     *
     * @param hasPresharedKey whether a preshared key is set
     * @param endpoint {@code host:port} of the peer's last packet, null before the first
     * @param allowedIps as {@code wg} spells them, empty when none
     * @param latestHandshake epoch seconds, 0 before the first handshake
     * @param received bytes received from the peer (its upload)
     * @param sent bytes sent to the peer (its download)
     * @param persistentKeepalive seconds, 0 when off
     */
    public record Peer(String publicKey, boolean hasPresharedKey, String endpoint, List<String> allowedIps,
                long latestHandshake, long received, long sent, int persistentKeepalive) {
    }

    /** Parses a whole dump; throws {@link IllegalArgumentException} naming only a line number and a field. */
    public static WgDump parse(String text) {
        Interface iface = null;
        List<Peer> peers = new ArrayList<>();
        String[] fields = new String[8];
        int line = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end > start) {
                line++;
                if (iface == null) {
                    split(text, start, end, fields, 4, line);
                    iface = new Interface(noneAsNull(fields[1]), (int) number(fields[2], "listen-port", line));
                } else {
                    split(text, start, end, fields, 8, line);
                    peers.add(peer(fields, line));
                }
            }
            start = end + 1;
        }
        if (iface == null) {
            throw new IllegalArgumentException("the dump is empty");
        }
        return new WgDump(iface, List.copyOf(peers));
    }

    private static Peer peer(String[] f, int line) {
        return new Peer(f[0], !NONE.equals(f[1]), noneAsNull(f[2]), allowedIps(f[3]),
                number(f[4], "latest-handshake", line), number(f[5], "transfer-rx", line),
                number(f[6], "transfer-tx", line),
                OFF.equals(f[7]) ? 0 : (int) number(f[7], "persistent-keepalive", line));
    }

    /** Splits {@code text[start, end)} on tabs into exactly {@code count} fields. */
    private static void split(String text, int start, int end, String[] fields, int count, int line) {
        int found = 0;
        int from = start;
        while (true) {
            int tab = text.indexOf('\t', from);
            int stop = tab < 0 || tab > end ? end : tab;
            if (found < count) {
                fields[found] = text.substring(from, stop);
            }
            found++;
            if (stop == end) {
                break;
            }
            from = stop + 1;
        }
        if (found != count) {
            throw new IllegalArgumentException("line " + line + " of the dump has " + found
                    + " tab-separated fields, " + count + " expected");
        }
    }

    private static long number(String field, String name, int line) {
        if (field.isEmpty()) {
            throw notANumber(name, line);
        }
        long value = 0;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '9') {
                throw notANumber(name, line);
            }
            try {
                value = Math.addExact(Math.multiplyExact(value, 10), c - '0');
            } catch (ArithmeticException e) {
                throw notANumber(name, line);
            }
        }
        return value;
    }

    private static IllegalArgumentException notANumber(String name, int line) {
        return new IllegalArgumentException("line " + line + " of the dump: " + name + " is not a count");
    }

    private static List<String> allowedIps(String field) {
        if (NONE.equals(field)) {
            return List.of();
        }
        List<String> ips = new ArrayList<>(2);
        int from = 0;
        int comma;
        while ((comma = field.indexOf(',', from)) >= 0) {
            ips.add(field.substring(from, comma));
            from = comma + 1;
        }
        ips.add(field.substring(from));
        return List.copyOf(ips);
    }

    private static String noneAsNull(String field) {
        return NONE.equals(field) ? null : field;
    }
}

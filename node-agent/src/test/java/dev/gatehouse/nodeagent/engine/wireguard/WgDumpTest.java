package dev.gatehouse.nodeagent.engine.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WgDumpTest {

    private static final String PRIVATE_KEY = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
    private static final String PRESHARED_KEY = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";
    private static final String SERVER = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
    private static final String ALICE = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    private static final String BOB = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    private static final String CAROL = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=";

    private static final String DUMP = String.join("\n",
            PRIVATE_KEY + "\t" + SERVER + "\t51820\toff",
            ALICE + "\t" + PRESHARED_KEY + "\t10.99.0.2:51820\t10.66.0.2/32\t1700000000\t4924\t3284\t25",
            BOB + "\t(none)\t(none)\t(none)\t0\t0\t0\toff",
            CAROL + "\t(none)\t[fd00:99::2]:40000\tfd00:66::3/128,10.66.0.3/32\t1700000100\t18446744\t92\toff") + "\n";

    @Test
    void readsTheInterfaceAndEveryKindOfPeer() {
        WgDump dump = WgDump.parse(DUMP);

        assertThat(dump.iface()).isEqualTo(new WgDump.Interface(SERVER, 51820));
        assertThat(dump.peers()).containsExactly(
                new WgDump.Peer(ALICE, true, "10.99.0.2:51820", List.of("10.66.0.2/32"), 1_700_000_000L, 4924, 3284, 25),
                new WgDump.Peer(BOB, false, null, List.of(), 0, 0, 0, 0),
                new WgDump.Peer(CAROL, false, "[fd00:99::2]:40000", List.of("fd00:66::3/128", "10.66.0.3/32"),
                        1_700_000_100L, 18_446_744, 92, 0));
    }

    @Test
    void anInterfaceWithoutKeyOrPeersIsReadToo() {
        WgDump dump = WgDump.parse("(none)\t(none)\t0\toff\n");

        assertThat(dump.iface()).isEqualTo(new WgDump.Interface(null, 0));
        assertThat(dump.peers()).isEmpty();
    }

    @Test
    void neitherThePrivateKeyNorAPresharedKeyIsKept() {
        String parsed = WgDump.parse(DUMP).toString();

        assertThat(parsed).contains(ALICE).doesNotContain(PRIVATE_KEY).doesNotContain(PRESHARED_KEY);
    }

    @Test
    void malformedDumpsAreRefusedWithoutQuotingThem() {
        assertThatThrownBy(() -> WgDump.parse(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> WgDump.parse(PRIVATE_KEY + "\t" + SERVER + "\t51820\n"))
                .hasMessage("line 1 of the dump has 3 tab-separated fields, 4 expected");
        assertThatThrownBy(() -> WgDump.parse(PRIVATE_KEY + "\t" + SERVER + "\t" + PRIVATE_KEY + "\toff\n"))
                .hasMessage("line 1 of the dump: listen-port is not a count");
        assertThatThrownBy(() -> WgDump.parse(DUMP + ALICE + "\t" + PRESHARED_KEY + "\t(none)\t(none)\t0\t"
                + PRESHARED_KEY + "\t0\toff\n"))
                .hasMessage("line 5 of the dump: transfer-rx is not a count");
        assertThatThrownBy(() -> WgDump.parse(DUMP + ALICE + "\t(none)\t(none)\t(none)\t0\t99999999999999999999\t0\toff"))
                .hasMessage("line 5 of the dump: transfer-rx is not a count");
    }

    @Test
    void tenThousandPeersParseWellUnderATenthOfASecond() {
        List<WgDump.Peer> peers = new ArrayList<>();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 10_000; i++) {
            peers.add(new WgDump.Peer(key(random), i % 2 == 0, "198.51.100." + (i % 250) + ":" + (1024 + i),
                    List.of("10.66." + (i / 250) + "." + (i % 250) + "/32"), 1_700_000_000L + i,
                    random.nextLong() >>> 1, random.nextLong() >>> 1, i % 3 == 0 ? 25 : 0));
        }
        String text = render(key(random), new WgDump.Interface(key(random), 51820), peers, PRESHARED_KEY);

        long best = Long.MAX_VALUE;
        for (int run = 0; run < 10; run++) {
            long start = System.nanoTime();
            WgDump dump = WgDump.parse(text);
            best = Math.min(best, System.nanoTime() - start);
            assertThat(dump.peers()).hasSize(10_000);
        }
        assertThat(best / 1_000_000).as("best of ten parses, in ms").isLessThan(50);
    }

    @Property
    void whatIsWrittenIsReadBack(@ForAll("peers") List<WgDump.Peer> peers, @ForAll @IntRange(max = 65535) int port) {
        WgDump.Interface iface = new WgDump.Interface(SERVER, port);

        WgDump dump = WgDump.parse(render(PRIVATE_KEY, iface, peers, PRESHARED_KEY));

        assertThat(dump).isEqualTo(new WgDump(iface, peers));
    }

    /** Whatever part of a dump arrives, the keys it carries never show in the result or the refusal. */
    @Property
    void noCutOfADumpRevealsItsSecrets(@ForAll("peers") List<WgDump.Peer> peers, @ForAll @IntRange(max = 5000) int cut,
                                        @ForAll @IntRange(max = 5000) int drop) {
        String whole = render(PRIVATE_KEY, new WgDump.Interface(SERVER, 51820), peers, PRESHARED_KEY);
        int from = Math.min(cut, whole.length());
        String damaged = whole.substring(0, from) + whole.substring(Math.min(whole.length(), from + drop % 40));

        String seen;
        try {
            seen = WgDump.parse(damaged).toString();
        } catch (IllegalArgumentException e) {
            seen = e.getMessage();
        }
        assertThat(seen).doesNotContain(PRIVATE_KEY).doesNotContain(PRESHARED_KEY);
    }

    @Provide
    Arbitrary<List<WgDump.Peer>> peers() {
        Arbitrary<String> keys = Arbitraries.bytes().array(byte[].class).ofSize(32).map(WgKeys::encode);
        Arbitrary<String> endpoints = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.integers().between(1, 65535).map(p -> "192.0.2.7:" + p),
                Arbitraries.integers().between(1, 65535).map(p -> "[2001:db8::7]:" + p));
        Arbitrary<List<String>> allowed = Arbitraries.of("10.66.0.2/32", "10.66.1.0/24", "fd00:66::2/128", "::/0")
                .list().uniqueElements().ofMaxSize(3);
        Arbitrary<Long> counts = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<WgDump.Peer> peer = Combinators.combine(keys, Arbitraries.of(true, false), endpoints, allowed,
                        counts, counts, counts, Arbitraries.integers().between(0, 65535))
                .as(WgDump.Peer::new);
        return peer.list().ofMaxSize(20);
    }

    /** A dump as {@code wg show IF dump} prints it. */
    static String render(String privateKey, WgDump.Interface iface, List<WgDump.Peer> peers, String presharedKey) {
        StringBuilder out = new StringBuilder();
        out.append(privateKey).append('\t').append(orNone(iface.publicKey())).append('\t').append(iface.listenPort())
                .append("\toff\n");
        for (WgDump.Peer p : peers) {
            out.append(p.publicKey()).append('\t').append(p.hasPresharedKey() ? presharedKey : "(none)").append('\t')
                    .append(orNone(p.endpoint())).append('\t')
                    .append(p.allowedIps().isEmpty() ? "(none)" : String.join(",", p.allowedIps())).append('\t')
                    .append(p.latestHandshake()).append('\t').append(p.received()).append('\t').append(p.sent())
                    .append('\t').append(p.persistentKeepalive() == 0 ? "off" : p.persistentKeepalive()).append('\n');
        }
        return out.toString();
    }

    private static String orNone(String value) {
        return value == null ? "(none)" : value;
    }

    private static String key(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return WgKeys.encode(bytes);
    }
}

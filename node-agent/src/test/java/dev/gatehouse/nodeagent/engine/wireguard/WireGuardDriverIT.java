package dev.gatehouse.nodeagent.engine.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.WireGuardCredential;
import dev.gatehouse.proto.agent.v1.WireGuardInterface;
import dev.gatehouse.testkit.Command;
import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.RealPeers;
import dev.gatehouse.testkit.WireGuardGo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root and network namespaces: the driver creates and owns a real wireguard-go interface in a
 * server namespace; a client interface in a second namespace, joined by a veth pair, reaches the
 * server through the tunnel exactly while the driver holds its peer.
 */
class WireGuardDriverIT {

    private static final String SERVER_ADDRESS = "10.66.0.1";

    @TempDir
    Path state;

    @TempDir
    Path files;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private Netns server;
    private Netns client;
    private String serverIf;
    private WireGuardDriver driver;

    @BeforeEach
    void twoHostsAndADriver() throws IOException {
        RealPeers.require("wireguard-go", "wireguard-go");
        RealPeers.require("wg", "wireguard-tools");
        RealPeers.require("ping", "iputils-ping");
        server = open(Netns.create("wds"));
        client = open(Netns.create("wdc"));
        Netns.link(server, "10.199.0.1/24", client, "10.199.0.2/24");
        serverIf = "ghs" + Netns.unique();
        driver = newDriver();
    }

    @AfterEach
    void closeEverything() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    @Test
    void aPeerIsServedThroughARealTunnelCountedAndRemoved() throws Exception {
        assertThat(driver.configure(config(serverIf, SERVER_ADDRESS + "/16"))).isTrue();
        assertThat(server.run("wg", "show", serverIf, "public-key").strip()).isEqualTo(driver.publicKey());
        assertThat(driver.publicKeys()).isEqualTo(Map.of("", driver.publicKey()));
        assertThat(driver.configure(config(serverIf, SERVER_ADDRESS + "/16"))).as("nothing changed").isFalse();
        assertThat(driver.info().flavour()).isEqualTo("wireguard-go");
        assertThat(driver.info().version()).startsWith("v");

        Credential alice = startClient("alice");
        assertThat(driver.add(alice)).isEqualTo(Applied.APPLIED);
        assertThat(driver.add(alice)).isEqualTo(Applied.ALREADY_PRESENT);
        assertThat(driver.served()).contains(Set.of("alice"));

        awaitPing();
        client.run("ping", "-c", "3", "-i", "0.2", "-s", "1000", SERVER_ADDRESS);
        Counters counted = driver.counters().get("alice");
        assertThat(counted.up()).as("bytes from the client").isGreaterThan(3000);
        assertThat(counted.down()).as("bytes to the client").isGreaterThan(3000);

        assertThat(driver.remove(ref("alice"))).isEqualTo(Applied.APPLIED);
        assertThat(driver.remove(ref("alice"))).isEqualTo(Applied.NOT_FOUND);
        assertThat(driver.served()).contains(Set.of());
        assertThat(driver.counters()).isEmpty();
        assertThat(pings()).as("no peer, no tunnel").isFalse();

        assertThat(driver.add(alice)).isEqualTo(Applied.APPLIED);
        Counters restarted = driver.counters().get("alice");
        assertThat(restarted.up()).isLessThan(counted.up());
        assertThat(restarted.down()).isLessThan(counted.down());
        awaitPing();
    }

    @Test
    void aBulkAddSetsHundredsOfPeersWithTheAnswersOfSingleAddsAndLeavesNoKeyFileBehind() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        Set<String> keyFoldersBefore = keyFolders();
        String erinFirst = randomKey();
        String erinSecond = randomKey();
        Credential unchanged = credential("frank", randomKey(), randomKey(), "10.66.9.1/32");
        driver.add(unchanged);
        driver.add(credential("erin", erinFirst, "", "10.66.9.2/32"));
        List<Credential> peers = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            peers.add(credential("p" + i, randomKey(), i % 5 == 0 ? "" : randomKey(),
                    "10.66." + (10 + i / 200) + "." + (1 + i % 200) + "/32"));
        }
        Credential alice = startClient("alice");
        Credential erin = credential("erin", erinSecond, "", "10.66.9.2/32");
        Credential malformed = credential("mallory", "not-a-key", "", "10.66.9.3/32");
        Credential sameKey = credential("copycat", peers.get(7).getWireguard().getPublicKey(), "", "10.66.9.4/32");
        Credential takesErinsOldKey = credential("heidi", erinFirst, "", "10.66.9.5/32");
        List<Credential> all = new java.util.ArrayList<>(peers);
        all.addAll(List.of(alice, unchanged, erin, malformed, sameKey, takesErinsOldKey));

        Map<String, AddResult> results = driver.addAll(all);

        assertThat(results.keySet()).containsExactlyElementsOf(all.stream().map(Credential::getCredentialId).toList());
        for (Credential peer : peers) {
            assertThat(results.get(peer.getCredentialId())).isEqualTo(AddResult.of(Applied.APPLIED));
        }
        assertThat(results.get("alice")).isEqualTo(AddResult.of(Applied.APPLIED));
        assertThat(results.get("frank")).isEqualTo(AddResult.of(Applied.ALREADY_PRESENT));
        assertThat(results.get("erin")).isEqualTo(AddResult.of(Applied.APPLIED));
        assertThat(results.get("heidi")).as("erin let go of the key first").isEqualTo(AddResult.of(Applied.APPLIED));
        assertThat(results.get("mallory").permanent()).isTrue();
        assertThat(results.get("copycat")).satisfies(r -> {
            assertThat(r.permanent()).isTrue();
            assertThat(r.failure()).contains("already serves credential p7");
        });

        Map<String, WgDump.Peer> dump = new java.util.HashMap<>();
        WgDump.parse(server.run("wg", "show", serverIf, "dump")).peers().forEach(p -> dump.put(p.publicKey(), p));
        assertThat(dump).hasSize(500 + 4);
        for (Credential peer : peers) {
            WgDump.Peer set = dump.get(peer.getWireguard().getPublicKey());
            assertThat(set.allowedIps()).containsExactlyElementsOf(peer.getWireguard().getAllowedIpsList());
            assertThat(set.hasPresharedKey()).isEqualTo(!peer.getWireguard().getPresharedKey().isEmpty());
        }
        assertThat(dump.get(erinFirst).allowedIps()).as("now heidi's").containsExactly("10.66.9.5/32");
        assertThat(dump).containsKey(erinSecond);
        awaitPing(); // alice's preshared key came from a file and matches her client's
        assertThat(keyFolders()).as("no preshared key file is left").isEqualTo(keyFoldersBefore);

        assertThat(driver.addAll(peers).values()).as("added twice").containsOnly(AddResult.of(Applied.ALREADY_PRESENT));
        assertThat(driver.served().orElseThrow()).hasSize(500 + 4).contains("alice", "frank", "erin", "heidi");
        assertThat(driver.counters()).containsKeys("p0", "p499", "alice");
    }

    @Test
    void aBulkAddBeforeTheInterfaceRunsFailsEveryPeerForARetry() throws Exception {
        Map<String, AddResult> results = driver.addAll(List.of(credential("ivan", randomKey(), "", "10.66.9.6/32")));
        assertThat(results.get("ivan").permanent()).isFalse();
        assertThat(results.get("ivan").failure()).contains("not configured yet");
    }

    @Test
    void aMalformedOrConflictingCredentialIsRefusedForGoodAndChangesNothing() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        String key = newPublicKey();
        Credential bob = credential("bob", key, "", "10.66.0.3/32");
        driver.add(bob);
        String before = server.run("wg", "show", serverIf, "dump");

        List<Credential> refused = List.of(
                credential("carol", "not-a-key", "", "10.66.0.4/32"),
                credential("carol", newPublicKey(), "", "10.66.0.300/32"),
                credential("carol", newPublicKey(), "", "10.66.0.4/32", "fd00::4/129"),
                credential("carol", newPublicKey(), "short", "10.66.0.4/32"),
                bob.toBuilder().setWireguard(bob.getWireguard().toBuilder().setInterfaceName("wg-elsewhere")).build(),
                credential("dave", key, "", "10.66.0.5/32"));
        for (Credential c : refused) {
            assertThatThrownBy(() -> driver.add(c)).as(c.getWireguard().toString())
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.permanent()).isTrue());
        }

        assertThat(server.run("wg", "show", serverIf, "dump")).isEqualTo(before);
        assertThat(driver.served()).contains(Set.of("bob"));
    }

    @Test
    void aPeerTheDriverDidNotAddIsListedForRemovalAndNotCounted() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        String stranger = newPublicKey();
        server.run("wg", "set", serverIf, "peer", stranger, "allowed-ips", "10.66.0.9/32");

        String id = WireGuardDriver.UNKNOWN_PEER_PREFIX + stranger;
        assertThat(driver.served()).contains(Set.of(id));
        assertThat(driver.counters()).isEmpty();
        assertThat(driver.remove(ref(id))).isEqualTo(Applied.APPLIED);
        assertThat(server.run("wg", "show", serverIf, "peers").strip()).isEmpty();
    }

    @Test
    void aNewKeyForACredentialReplacesItsPeer() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        String first = newPublicKey();
        String second = newPublicKey();
        driver.add(credential("erin", first, "", "10.66.0.6/32"));

        assertThat(driver.add(credential("erin", second, "", "10.66.0.6/32"))).isEqualTo(Applied.APPLIED);

        assertThat(server.run("wg", "show", serverIf, "peers").strip()).isEqualTo(second);
        assertThat(driver.served()).contains(Set.of("erin"));
    }

    @Test
    void aChangedPortOrAddressIsAppliedInPlace() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        driver.add(credential("frank", newPublicKey(), "", "10.66.0.7/32"));

        NodeConfig changed = NodeConfig.newBuilder().setWireguard(config(serverIf, "10.77.0.1/24").getWireguard()
                .toBuilder().setListenPort(51821)).build();
        assertThat(driver.configure(changed)).as("the interface and its peers stay").isFalse();

        assertThat(server.run("wg", "show", serverIf, "listen-port").strip()).isEqualTo("51821");
        String addresses = server.run("ip", "-o", "addr", "show", "dev", serverIf);
        assertThat(addresses).contains("inet 10.77.0.1/24").doesNotContain("10.66.0.1");
        assertThat(driver.served()).contains(Set.of("frank"));
    }

    @Test
    void aWireGuardGoThatDiesIsStartedAgainAndCounted() throws Exception {
        driver.configure(config(serverIf, SERVER_ADDRESS + "/16"));
        String key = newPublicKey();
        driver.add(credential("grace", key, "", "10.66.0.8/32"));
        long before = driver.generation();

        ProcessHandle dead = wireguardGo(serverIf).orElseThrow();
        dead.destroyForcibly();
        dead.onExit().get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (driver.generation() == before) {
            assertThat(System.nanoTime()).as("the supervisor creates the interface again").isLessThan(deadline);
            Thread.sleep(20);
        }

        assertThat(server.run("wg", "show", serverIf, "public-key").strip()).isEqualTo(driver.publicKey());
        assertThat(server.run("ip", "-o", "addr", "show", "dev", serverIf)).contains("inet 10.66.0.1/16");
        assertThat(driver.configure(config(serverIf, SERVER_ADDRESS + "/16"))).as("already running").isFalse();
        assertThat(driver.served()).contains(Set.of());
        assertThat(driver.add(credential("grace", key, "", "10.66.0.8/32"))).isEqualTo(Applied.APPLIED);
    }

    @Test
    void anInterfaceLeftBehindOrRenamedIsReplacedAndCloseLeavesNothing() throws Exception {
        open(WireGuardGo.start(server, serverIf));
        ProcessHandle leftover = wireguardGo(serverIf).orElseThrow();

        assertThat(driver.configure(config(serverIf, SERVER_ADDRESS + "/16"))).isTrue();
        leftover.onExit().get(5, TimeUnit.SECONDS);
        assertThat(wireguardGo(serverIf).orElseThrow().pid()).isNotEqualTo(leftover.pid());
        assertThat(newDriver().publicKey()).as("the key is kept in the state folder").isEqualTo(driver.publicKey());

        String renamed = "ghs" + Netns.unique();
        assertThat(driver.configure(config(renamed, SERVER_ADDRESS + "/16"))).isTrue();
        assertThat(wireguardGo(serverIf)).isEmpty();

        driver.close();
        assertThat(wireguardGo(renamed)).isEmpty();
        assertThat(Command.succeeds(server.inside("ip", "link", "show", "dev", renamed))).isFalse();
        assertThat(Path.of("/var/run/wireguard", renamed + ".sock")).doesNotExist();
    }

    @Test
    void aLinkOfTheSameNameThatIsNotWireGuardIsLeftAlone() {
        server.run("ip", "link", "add", serverIf, "type", "veth", "peer", "name", "ghp" + Netns.unique());

        assertThatThrownBy(() -> driver.configure(config(serverIf, SERVER_ADDRESS + "/16")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("not WireGuard");
        assertThat(server.run("ip", "-d", "link", "show", "dev", serverIf)).contains("veth");
    }

    private WireGuardDriver newDriver() throws IOException {
        return open(new WireGuardDriver(state, List.of(server.inside())));
    }

    /** A client interface set up to reach the server; its credential as the panel would send it. */
    private Credential startClient(String credentialId) throws IOException, InterruptedException {
        String clientIf = "ghc" + Netns.unique();
        String privateKey = Command.run("wg", "genkey").strip();
        String psk = Command.run("wg", "genpsk").strip();
        WireGuardGo wg = open(WireGuardGo.start(client, clientIf));
        wg.wg("set", clientIf, "private-key", secret("client.key", privateKey), "peer", driver.publicKey(),
                "preshared-key", secret("psk", psk), "endpoint", "10.199.0.1:51820", "allowed-ips", "10.66.0.0/16");
        client.run("ip", "addr", "add", "10.66.0.2/16", "dev", clientIf);
        client.run("ip", "link", "set", "dev", clientIf, "up");
        String publicKey = Command.withInput(privateKey + "\n", "wg", "pubkey").strip();
        return credential(credentialId, publicKey, psk, "10.66.0.2/32");
    }

    private Credential credential(String id, String publicKey, String psk, String... allowedIps) {
        return Credential.newBuilder().setCredentialId(id).setUserId("user-" + id).setEngine(Engine.ENGINE_WIREGUARD)
                .setWireguard(WireGuardCredential.newBuilder().setPublicKey(publicKey).setPresharedKey(psk)
                        .addAllAllowedIps(List.of(allowedIps)).setInterfaceName(serverIf))
                .build();
    }

    private static CredentialRef ref(String id) {
        return CredentialRef.newBuilder().setCredentialId(id).setEngine(Engine.ENGINE_WIREGUARD).build();
    }

    private static NodeConfig config(String ifname, String address) {
        return NodeConfig.newBuilder().setWireguard(WireGuardInterface.newBuilder().setInterfaceName(ifname)
                .setListenPort(51820).setAddress(address)).build();
    }

    /** Random bytes in a key's spelling: wg takes any 32 bytes as a public or preshared key, and no process runs. */
    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    /** The private folders preshared key files are written in, wherever they may be. */
    private static Set<String> keyFolders() throws IOException {
        Set<String> found = new java.util.HashSet<>();
        for (Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (Files.isDirectory(dir)) {
                try (var list = Files.list(dir)) {
                    list.map(Path::toString).filter(f -> f.contains("gatehouse-wg-")).forEach(found::add);
                }
            }
        }
        return found;
    }

    private static String newPublicKey() {
        return Command.withInput(Command.run("wg", "genkey"), "wg", "pubkey").strip();
    }

    private boolean pings() {
        return Command.succeeds(client.inside("ping", "-c", "1", "-W", "1", SERVER_ADDRESS));
    }

    /** The first packets start a handshake (again after the peer was re-created, once the client retries). */
    private void awaitPing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pings()) {
            assertThat(System.nanoTime()).as("a ping through the tunnel within 30 s").isLessThan(deadline);
        }
    }

    private static Optional<ProcessHandle> wireguardGo(String ifname) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().filter(c -> c.contains("wireguard-go") && c.endsWith(" " + ifname))
                        .isPresent())
                .findFirst();
    }

    private String secret(String name, String content) throws IOException {
        return Files.writeString(files.resolve(name), content + "\n").toString();
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.push(resource);
        return resource;
    }
}

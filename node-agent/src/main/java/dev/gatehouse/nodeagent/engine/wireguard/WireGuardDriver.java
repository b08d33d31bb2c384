package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one WireGuard interface, created and owned by the agent and driven live with
 * {@code wg set}: a peer per credential, counters from {@code wg show dump}. The kernel module is
 * used where {@code ip link add type wireguard} works, otherwise {@code wireguard-go} runs as the
 * agent's child. The interface's private key is made on the node and stays in its state folder;
 * {@link #publicKey()} is what the panel hands to clients.
 *
 * <p>A wireguard-go that exits on its own takes the interface and its peers with it: a supervisor
 * creates the interface again from the last configuration, with growing pauses while that fails,
 * and {@link #generation()} counts every creation so the caller applies the peers again. (A kernel
 * interface does not die on its own; one deleted by hand is created again by the next configure.)
 *
 * <p>Peers the interface has but this driver did not add (left by an earlier run or added by hand)
 * are listed by {@link #served()} as {@link #UNKNOWN_PEER_PREFIX} followed by their public key, so a
 * reconciler that removes every served id it does not want removes them through {@link #remove}.
 *
 * <p>Every command runs behind an optional prefix (such as {@code ip netns exec NS}), so the
 * interface can live in another network namespace.
 */
public final class WireGuardDriver implements EngineDriver {

    /** How {@link #served()} names a peer whose credential this driver does not know. */
    public static final String UNKNOWN_PEER_PREFIX = "wireguard-peer:";

    private static final Logger log = LoggerFactory.getLogger(WireGuardDriver.class);
    private static final Path KERNEL_MODULE = Path.of("/sys/module/wireguard");
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    /** Peers set by one {@code wg set} in {@link #addAll}: about 150 KB of arguments, far below the kernel's limit. */
    static final int PEERS_PER_CALL = 1000;

    private final Commands commands;
    private final InterfaceKey key;
    private final Path wireguardGoOutput;
    private final ScheduledExecutorService supervisor;
    private final AtomicLong generation = new AtomicLong();

    // Guarded by this.
    private final Peers peers = new Peers();
    private final Map<Flavour, String> versions = new EnumMap<>(Flavour.class);
    /** The last configuration given; null before the first. */
    private InterfaceSpec spec;
    /** Null before the first configure, and after wireguard-go died until the supervisor creates it again. */
    private OwnedInterface iface;
    /** Set when configure creates the interface, cleared when a configure completes. */
    private boolean fresh;
    private Duration pause = FIRST_PAUSE;
    private boolean closed;
    private String panelKeyWarnedAbout;

    /** A driver whose interface lives in the agent's own network namespace. */
    public WireGuardDriver(Path stateFolder) throws IOException {
        this(stateFolder, List.of());
    }

    /**
     * A driver keeping its key in {@code stateFolder} and running every command behind
     * {@code commandPrefix}. Makes the interface key on first use, so {@link #publicKey()} answers at once.
     */
    public WireGuardDriver(Path stateFolder, List<String> commandPrefix) throws IOException {
        this.commands = new Commands(commandPrefix);
        this.key = InterfaceKey.loadOrCreate(stateFolder.resolve("wireguard.key"));
        this.wireguardGoOutput = stateFolder.toAbsolutePath().resolve("wireguard-go.log");
        this.supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "wireguard-supervisor");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The interface's public key (base64), for the panel to put in client configurations. */
    public String publicKey() {
        return key.publicKey();
    }

    /** The interface's public key, under the empty tag an interface has. */
    @Override
    public Map<String, String> publicKeys() {
        return Map.of("", key.publicKey());
    }

    @Override
    public Engine engine() {
        return Engine.ENGINE_WIREGUARD;
    }

    /**
     * Creates the interface when it is missing, renamed, or its wireguard-go exited, then brings its
     * key, listen port, address and link state to {@code config}.
     *
     * @return true when the interface was created and holds no peers yet
     */
    @Override
    public synchronized boolean configure(NodeConfig config) throws EngineException {
        if (closed) {
            throw new EngineException("the WireGuard driver is closed", true);
        }
        InterfaceSpec next = InterfaceSpec.of(config);
        spec = next;
        if (iface == null || !iface.name().equals(next.name()) || !iface.running()) {
            createInterface(next.name());
            fresh = true;
        }
        applySettings(next);
        pause = FIRST_PAUSE;
        warnIfPanelKeyDiffers(next.panelPublicKey());
        boolean created = fresh;
        if (created) {
            generation.incrementAndGet();
            fresh = false;
        }
        return created;
    }

    @Override
    public synchronized Applied add(Credential credential) throws EngineException {
        PeerSpec peer = PeerSpec.of(credential);
        String name = requireInterface().name();
        if (!needsChange(credential, peer, name)) {
            return Applied.ALREADY_PRESENT;
        }
        setPeer(name, peer);
        return Applied.APPLIED;
    }

    /**
     * As {@link #add} for each credential, with up to {@value #PEERS_PER_CALL} peers set by one
     * {@code wg set} (one process per peer made 10k peers slow); the preshared keys go in files of a
     * private folder deleted right after the call. When a call fails while the interface still
     * answers, its peers are set one by one, so one peer the interface refuses blocks no other.
     */
    @Override
    public synchronized Map<String, AddResult> addAll(List<Credential> credentials) {
        Map<String, AddResult> results = new LinkedHashMap<>();
        String name;
        try {
            name = requireInterface().name();
        } catch (EngineException e) {
            credentials.forEach(c -> results.put(c.getCredentialId(), AddResult.failed(e)));
            return results;
        }
        List<PeerSpec> batch = new ArrayList<>();
        Set<String> keysInBatch = new HashSet<>();
        for (Credential credential : credentials) {
            try {
                PeerSpec peer = PeerSpec.of(credential);
                String previousKey = peers.keyOf(peer.credentialId());
                if (keysInBatch.contains(peer.publicKey())
                        || (previousKey != null && keysInBatch.contains(previousKey))) {
                    setPeers(name, batch, results); // the checks below must see that batch applied
                    batch.clear();
                    keysInBatch.clear();
                }
                if (!needsChange(credential, peer, name)) {
                    results.put(peer.credentialId(), AddResult.of(Applied.ALREADY_PRESENT));
                    continue;
                }
                batch.add(peer);
                keysInBatch.add(peer.publicKey());
                if (previousKey != null) {
                    keysInBatch.add(previousKey);
                }
            } catch (EngineException e) {
                results.put(credential.getCredentialId(), AddResult.failed(e));
            }
            if (batch.size() == PEERS_PER_CALL) {
                setPeers(name, batch, results);
                batch.clear();
                keysInBatch.clear();
            }
        }
        setPeers(name, batch, results);
        Map<String, AddResult> ordered = new LinkedHashMap<>();
        credentials.forEach(c -> ordered.put(c.getCredentialId(), results.get(c.getCredentialId())));
        return ordered;
    }

    /**
     * Whether the peer must be set: false when the interface has it as it is; refused for good when
     * the credential is for another interface or its key serves another credential.
     */
    private boolean needsChange(Credential credential, PeerSpec peer, String name) throws EngineException {
        String wanted = credential.getWireguard().getInterfaceName();
        if (!wanted.isEmpty() && !wanted.equals(name)) {
            throw new EngineException("the credential is for interface " + wanted + "; this node's is " + name, true);
        }
        PeerSpec current = peers.withKey(peer.publicKey());
        if (current != null && !current.credentialId().equals(peer.credentialId())) {
            throw new EngineException("the public key already serves credential " + current.credentialId(), true);
        }
        return current == null || !current.sameAs(peer);
    }

    /** The {@code wg set} words for one peer, after removing the credential's peer of an older key. */
    private List<String> peerArgs(PeerSpec peer, String presharedKeyFile) {
        List<String> args = new ArrayList<>();
        String previousKey = peers.keyOf(peer.credentialId());
        if (previousKey != null && !previousKey.equals(peer.publicKey())) {
            args.addAll(List.of("peer", previousKey, "remove"));
        }
        args.addAll(List.of("peer", peer.publicKey(), "preshared-key", presharedKeyFile,
                "allowed-ips", String.join(",", peer.allowedIps())));
        return args;
    }

    /** Sets the peers with one {@code wg set} and records each one's answer in {@code results}. */
    private void setPeers(String name, List<PeerSpec> batch, Map<String, AddResult> results) {
        if (batch.isEmpty()) {
            return;
        }
        try (PresharedKeyFiles keys = PresharedKeyFiles.create()) {
            List<String> args = new ArrayList<>(List.of("wg", "set", name));
            for (PeerSpec peer : batch) {
                String file = peer.presharedKey().isEmpty() ? "/dev/null" : keys.write(peer.presharedKey()).toString();
                args.addAll(peerArgs(peer, file));
            }
            commands.check(null, args);
            for (PeerSpec peer : batch) {
                peers.put(peer);
                results.put(peer.credentialId(), AddResult.of(Applied.APPLIED));
            }
            return;
        } catch (EngineException e) {
            if (batch.size() == 1 || !commands.succeeds("wg", "show", name)) {
                batch.forEach(peer -> results.put(peer.credentialId(), AddResult.failed(e)));
                return;
            }
            log.warn("setting {} peers on {} in one call failed ({}); setting them one by one", batch.size(), name,
                    e.getMessage());
        }
        for (PeerSpec peer : batch) {
            try {
                setPeer(name, peer);
                results.put(peer.credentialId(), AddResult.of(Applied.APPLIED));
            } catch (EngineException e) {
                results.put(peer.credentialId(), AddResult.failed(e));
            }
        }
    }

    /** Sets one peer with its own {@code wg set}. */
    private void setPeer(String name, PeerSpec peer) throws EngineException {
        List<String> args = new ArrayList<>(List.of("wg", "set", name));
        // The key comes on standard input, off the command line; /dev/null removes one (wg refuses an empty pipe).
        boolean psk = !peer.presharedKey().isEmpty();
        args.addAll(peerArgs(peer, psk ? "/dev/stdin" : "/dev/null"));
        commands.check(psk ? peer.presharedKey() + "\n" : null, args);
        peers.put(peer);
    }

    /**
     * Removes the credential's peer, or the peer named {@link #UNKNOWN_PEER_PREFIX}{@code KEY}. Its
     * counters are gone with it: a peer added again counts from zero.
     */
    @Override
    public synchronized Applied remove(CredentialRef credential) throws EngineException {
        String id = credential.getCredentialId();
        String publicKey;
        if (id.startsWith(UNKNOWN_PEER_PREFIX)) {
            publicKey = id.substring(UNKNOWN_PEER_PREFIX.length());
            if (!WgKeys.isKey(publicKey)) {
                throw new EngineException("'" + id + "' does not name a WireGuard public key", true);
            }
        } else {
            publicKey = peers.keyOf(id);
            if (publicKey == null) {
                return Applied.NOT_FOUND;
            }
        }
        commands.check("wg", "set", requireInterface().name(), "peer", publicKey, "remove");
        peers.removeKey(publicKey);
        return Applied.APPLIED;
    }

    /**
     * The credential ids of the interface's peers, read from the interface; a peer this driver did not
     * add appears as {@link #UNKNOWN_PEER_PREFIX}{@code KEY}. None before the first configure.
     */
    @Override
    public synchronized Optional<Set<String>> served() throws EngineException {
        Set<String> ids = new HashSet<>();
        if (spec == null) {
            return Optional.of(ids);
        }
        for (WgDump.Peer peer : readPeers()) {
            PeerSpec known = peers.withKey(peer.publicKey());
            ids.add(known != null ? known.credentialId() : UNKNOWN_PEER_PREFIX + peer.publicKey());
        }
        return Optional.of(ids);
    }

    /**
     * Bytes received from each peer (up) and sent to it (down), per credential id; unknown peers are
     * left out. None before the first configure.
     */
    @Override
    public synchronized Map<String, Counters> counters() throws EngineException {
        Map<String, Counters> counters = new HashMap<>();
        if (spec == null) {
            return counters;
        }
        for (WgDump.Peer peer : readPeers()) {
            PeerSpec known = peers.withKey(peer.publicKey());
            if (known != null) {
                counters.put(known.credentialId(), new Counters(peer.received(), peer.sent()));
            }
        }
        return counters;
    }

    /**
     * The flavour running, with the version of its program. Before the first configure, the kernel
     * flavour when its module is loaded, else wireguard-go.
     */
    @Override
    public synchronized CoreInfo info() {
        Flavour flavour = iface != null ? iface.flavour()
                : Files.isDirectory(KERNEL_MODULE) ? Flavour.KERNEL : Flavour.USERSPACE;
        return new CoreInfo(flavour.label(), versions.computeIfAbsent(flavour, this::version));
    }

    /**
     * How many times an interface was created and configured, by configure or by the supervisor after
     * wireguard-go died.
     */
    @Override
    public long generation() {
        return generation.get();
    }

    /** Removes the interface (ending wireguard-go); the peers go with it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (iface != null) {
                iface.stop();
                log.info("removed the WireGuard interface {}", iface.name());
                iface = null;
            }
            peers.clear();
        }
        supervisor.shutdownNow();
    }

    private OwnedInterface requireInterface() throws EngineException {
        if (iface == null) {
            throw new EngineException(spec == null ? "the WireGuard interface is not configured yet"
                    : "the WireGuard interface " + spec.name() + " is not running; it is being created again", false);
        }
        return iface;
    }

    /** Replaces any interface held with a new one named {@code name}, which holds no peers. */
    private void createInterface(String name) throws EngineException {
        if (iface != null) {
            iface.stop();
            iface = null;
        }
        peers.clear();
        removeLeftover(name);
        if (commands.succeeds("ip", "link", "add", "dev", name, "type", "wireguard")) {
            iface = new KernelInterface(name, commands);
        } else {
            iface = WireGuardGoProcess.start(commands, name, wireguardGoOutput,
                    dead -> supervisor.execute(() -> exited(dead)));
        }
        log.info("created the WireGuard interface {} ({})", name, iface.flavour().label());
    }

    private synchronized void exited(WireGuardGoProcess dead) {
        if (closed || iface != dead) {
            return; // configure or close replaced it meanwhile
        }
        iface = null;
        peers.clear();
        recreateLater();
    }

    private void recreateLater() {
        Duration wait = pause;
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        supervisor.schedule(this::recreate, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void recreate() {
        if (closed || iface != null) {
            return; // configure created it meanwhile
        }
        try {
            createInterface(spec.name());
            applySettings(spec);
            pause = FIRST_PAUSE;
            generation.incrementAndGet();
        } catch (EngineException e) {
            if (iface != null) {
                iface.stop();
                iface = null;
            }
            log.warn("the WireGuard interface {} did not start again: {}; next try in {} ms", spec.name(),
                    e.getMessage(), pause.toMillis());
            recreateLater();
        }
    }

    /**
     * The agent owns the interface: one of the same name left by an earlier run is deleted (which also
     * ends its wireguard-go). A link of that name that is not WireGuard is never touched.
     */
    private void removeLeftover(String name) throws EngineException {
        if (!commands.succeeds("ip", "link", "show", "dev", name)) {
            return;
        }
        if (!commands.succeeds("wg", "show", name)) {
            throw new EngineException("a network interface named " + name + " exists and is not WireGuard", true);
        }
        log.warn("deleting the WireGuard interface {} left by an earlier run", name);
        commands.check("ip", "link", "del", "dev", name);
        WireGuardGoProcess.awaitSocketGone(name);
    }

    private void applySettings(InterfaceSpec wanted) throws EngineException {
        String name = wanted.name();
        WgDump.Interface current = dump(name).iface();
        if (!key.publicKey().equals(current.publicKey()) || current.listenPort() != wanted.listenPort()) {
            commands.check("wg", "set", name, "private-key", key.file().toString(),
                    "listen-port", Integer.toString(wanted.listenPort()));
        }
        applyAddress(name, wanted.address());
        commands.check("ip", "link", "set", "dev", name, "up");
    }

    /** Puts {@code address} on the interface and takes off any other global address it has. */
    private void applyAddress(String name, Cidr address) throws EngineException {
        boolean present = false;
        for (String line : commands.check("ip", "-o", "addr", "show", "dev", name).split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if (!(words[i].equals("inet") || words[i].equals("inet6"))) {
                    continue;
                }
                String assigned = words[i + 1];
                if (parsesTo(assigned, address)) {
                    present = true;
                } else if (line.contains(" scope global ")) {
                    commands.check("ip", "addr", "del", assigned, "dev", name);
                }
            }
        }
        if (!present) {
            commands.check("ip", "addr", "add", address.toString(), "dev", name);
        }
    }

    private static boolean parsesTo(String text, Cidr address) {
        try {
            return Cidr.parse(text).equals(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<WgDump.Peer> readPeers() throws EngineException {
        WgDump dump = dump(requireInterface().name());
        Set<String> present = new HashSet<>();
        dump.peers().forEach(p -> present.add(p.publicKey()));
        for (PeerSpec gone : peers.retainKeys(present)) {
            log.warn("the peer of credential {} is no longer on {}", gone.credentialId(), iface.name());
        }
        return dump.peers();
    }

    private WgDump dump(String name) throws EngineException {
        String text = commands.check("wg", "show", name, "dump");
        try {
            return WgDump.parse(text);
        } catch (IllegalArgumentException e) {
            throw new EngineException("cannot read wg show " + name + " dump: " + e.getMessage(), false);
        }
    }

    private void warnIfPanelKeyDiffers(String panelKey) {
        if (!panelKey.isEmpty() && !panelKey.equals(key.publicKey()) && !panelKey.equals(panelKeyWarnedAbout)) {
            log.warn("the panel gives clients {} as this node's WireGuard key but the interface's is {}:"
                    + " clients cannot connect until the panel has this node's key", panelKey, key.publicKey());
            panelKeyWarnedAbout = panelKey;
        }
    }

    private String version(Flavour flavour) {
        try {
            Commands.Result result = commands.run(null, List.of(flavour.versionProgram(), "--version"));
            String[] words = result.output().strip().split("\\s+");
            if (result.exitCode() == 0 && words.length > 1) {
                return words[1];
            }
            log.warn("{} --version answered exit {}: {}", flavour.versionProgram(), result.exitCode(), result.error());
        } catch (EngineException e) {
            log.warn("cannot read the {} version: {}", flavour.label(), e.getMessage());
        }
        return "unknown";
    }
}

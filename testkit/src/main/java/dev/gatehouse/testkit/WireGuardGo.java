package dev.gatehouse.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A userspace WireGuard interface (wireguard-go) in a network namespace, owned by the test: it runs
 * in the foreground so the test can end it (it outlives a deleted namespace), and {@link #start}
 * returns only once its control socket answers, since wireguard-go creates the link before the
 * socket and a {@code wg set} in between falls back to netlink and fails.
 */
public final class WireGuardGo implements AutoCloseable {

    private static final Path SOCKETS = Path.of("/var/run/wireguard");

    private final Netns ns;
    private final String ifname;
    private final Process process;
    private final Path log;

    private WireGuardGo(Netns ns, String ifname, Process process, Path log) {
        this.ns = ns;
        this.ifname = ifname;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code wireguard-go -f IFNAME} in the namespace and waits until {@code wg show} answers. */
    public static WireGuardGo start(Netns ns, String ifname) throws IOException, InterruptedException {
        RealPeers.require("wireguard-go", "wireguard-go");
        RealPeers.require("wg", "wireguard-tools");
        Path log = Files.createTempFile("wireguard-go-" + ifname, ".log");
        Process p = new ProcessBuilder(ns.inside("wireguard-go", "-f", ifname)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        WireGuardGo wg = new WireGuardGo(ns, ifname, p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(SOCKETS.resolve(ifname + ".sock"))
                && Command.succeeds(ns.inside("wg", "show", ifname)))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                wg.close();
                throw new IllegalStateException("wireguard-go did not start " + ifname + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return wg;
    }

    public String ifname() {
        return ifname;
    }

    /** Runs {@code wg ARGS} on this interface's namespace. */
    public String wg(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "wg";
        System.arraycopy(args, 0, command, 1, args.length);
        return ns.run(command);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(SOCKETS.resolve(ifname + ".sock"));
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // A socket left behind names a unique interface; nothing reuses it.
        }
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace interface: {@code wireguard-go -f IF} as a child process, in the foreground so the
 * agent holds its pid (it does not exit when its network namespace goes, only when its link is
 * deleted or it is told to). Ready only once its control socket answers: the link appears first,
 * and a {@code wg set} before the socket falls back to netlink and fails.
 */
final class WireGuardGoProcess implements OwnedInterface {

    private static final Logger log = LoggerFactory.getLogger(WireGuardGoProcess.class);
    private static final Path SOCKETS = Path.of("/var/run/wireguard");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 25;

    private final String name;
    private final Process process;
    private final Path output;
    private volatile boolean stopping;

    private WireGuardGoProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts wireguard-go for {@code name}, its output in {@code output}, and waits until it answers
     * {@code wg}; {@code onExit} hears of an exit that {@link #stop()} did not cause.
     */
    static WireGuardGoProcess start(Commands commands, String name, Path output, Consumer<WireGuardGoProcess> onExit)
            throws EngineException {
        Process process;
        try {
            process = new ProcessBuilder(commands.argv(List.of("wireguard-go", "-f", name)))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new EngineException("cannot start wireguard-go for " + name + ": " + e.getMessage(), e);
        }
        WireGuardGoProcess wg = new WireGuardGoProcess(name, process, output);
        wg.awaitControlSocket(commands);
        process.onExit().thenRun(() -> wg.exited(onExit));
        log.info("started wireguard-go for {} (pid {})", name, process.pid());
        return wg;
    }

    /**
     * Waits (a few seconds at most) until no control socket for {@code name} is left, so that a
     * wireguard-go just told to go does not make the next one fail with "unix socket in use".
     */
    static void awaitSocketGone(String name) throws EngineException {
        Path socket = SOCKETS.resolve(name + ".sock");
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (Files.exists(socket) && System.nanoTime() < deadline) {
            pause(name);
        }
    }

    private void awaitControlSocket(Commands commands) throws EngineException {
        Path socket = SOCKETS.resolve(name + ".sock");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!(Files.exists(socket) && commands.succeeds("wg", "show", name))) {
            if (!process.isAlive()) {
                throw new EngineException("wireguard-go for " + name + " exited at start (exit "
                        + process.exitValue() + "): " + lastLine(), false);
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new EngineException("wireguard-go for " + name + " did not open " + socket + " within "
                        + START_TIMEOUT.toSeconds() + " s: " + lastLine(), false);
            }
            try {
                pause(name);
            } catch (EngineException e) {
                stop();
                throw e;
            }
        }
    }

    private static void pause(String name) throws EngineException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting for the control socket of " + name, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Flavour flavour() {
        return Flavour.USERSPACE;
    }

    @Override
    public boolean running() {
        return process.isAlive();
    }

    /**
     * Ends the process, which removes its interface and socket on the way out; one that lingers is
     * killed and its socket removed here.
     */
    @Override
    public void stop() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("wireguard-go for {} (pid {}) ignored SIGTERM; killing it", name, process.pid());
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Files.deleteIfExists(SOCKETS.resolve(name + ".sock"));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("cannot remove the control socket of {}: {}", name, e.getMessage());
        }
    }

    private void exited(Consumer<WireGuardGoProcess> onExit) {
        if (!stopping) {
            log.error("wireguard-go for {} exited (exit {}): {}; creating the interface again", name,
                    process.exitValue(), lastLine());
            onExit.accept(this);
        }
    }

    /**
     * The last line wireguard-go wrote (its reason when it fails), leaving out the box it draws at
     * start to advise the kernel module.
     */
    private String lastLine() {
        try {
            List<String> lines = Files.readAllLines(output);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && Character.UnicodeBlock.of(line.charAt(0)) != Character.UnicodeBlock.BOX_DRAWING) {
                    return line;
                }
            }
            return "no output";
        } catch (IOException e) {
            return "its output " + output + " is unreadable: " + e.getMessage();
        }
    }
}

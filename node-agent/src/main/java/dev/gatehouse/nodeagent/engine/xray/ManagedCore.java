package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core process the agent runs itself, and its supervisor. A start counts only once the API
 * answers (an open port is not enough: the core binds before it serves). When the process dies
 * (a panic, a kill) it is started again with growing pauses, and {@link #generation()} counts
 * every successful start, so the caller knows the core holds no users and applies them again.
 *
 * <p>A core left running by an agent that was killed is adopted when it still runs this folder's
 * configuration and its API answers: the new agent keeps serving through it (users, connections
 * and counters go on, so nothing counted is lost), and restarts it only if the configuration it
 * wants differs. A leftover that does not answer is stopped.
 */
final class ManagedCore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagedCore.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final Pattern VERSION = Pattern.compile("^(?:V2Ray|Xray) v?(\\S+)");

    private final CoreSettings settings;
    private final Path config;
    private final Path candidate;
    private final Path output;
    private final Path checkOutput;
    private final Path pidFile;
    private final int apiPort;
    private final CoreApi api;
    private final ProcessHandle adopted;
    private final ScheduledExecutorService supervisor;
    private final AtomicLong generation = new AtomicLong();
    private volatile String version;

    // Guarded by this.
    private ProcessHandle process;
    private String wanted;
    private Duration pause = FIRST_PAUSE;
    private boolean closed;

    ManagedCore(CoreSettings settings) {
        this.settings = settings;
        this.config = settings.folder().resolve("core.json");
        this.candidate = settings.folder().resolve("core.next.json");
        this.output = settings.folder().resolve("core.log");
        this.checkOutput = settings.folder().resolve("core.check.log");
        this.pidFile = settings.folder().resolve("core.pid");
        this.supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "xray-core-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        ProcessHandle leftover = leftover();
        int port = leftover == null ? -1 : CoreConfig.apiPort(readQuietly(config));
        CoreApi answering = port > 0 ? CoreApi.connect(settings.flavour(), "127.0.0.1", port) : null;
        if (answering != null && answers(answering)) {
            this.apiPort = port;
            this.api = answering;
            this.adopted = leftover;
            synchronized (this) {
                process = leftover;
                wanted = readQuietly(config);
            }
            log.info("adopted the {} core (pid {}) a previous agent left running; it keeps serving",
                    settings.flavour().flavour(), leftover.pid());
            leftover.onExit().thenRunAsync(() -> exited(leftover), supervisor);
        } else {
            if (answering != null) {
                answering.close();
            }
            if (leftover != null) {
                log.info("stopping the core (pid {}) a previous agent left running: its API does not answer",
                        leftover.pid());
                destroy(leftover);
            }
            this.adopted = null;
            this.apiPort = freeLoopbackPort();
            this.api = CoreApi.connect(settings.flavour(), "127.0.0.1", apiPort);
        }
    }

    /** Whether a core left by a previous agent was taken over at start. */
    boolean adoptedLeftover() {
        return adopted != null;
    }

    private static boolean answers(CoreApi api) {
        try {
            api.uptimeSeconds();
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    CoreApi api() {
        return api;
    }

    int apiPort() {
        return apiPort;
    }

    /** How many times the core started (and answered) since the agent started. */
    long generation() {
        return generation.get();
    }

    /**
     * Runs the core with this configuration. Nothing happens when it is the one already wanted;
     * otherwise it is validated first (a refusal changes nothing and is permanent), then the old
     * process is stopped and the new one started. A start that fails is retried by the supervisor.
     *
     * @return true when the core was started
     */
    synchronized boolean run(String json) throws EngineException {
        if (closed) {
            throw new EngineException("the core's driver is closed", true);
        }
        if (json.equals(wanted)) {
            return false;
        }
        validate(json);
        wanted = null;
        stop();
        try {
            Files.move(candidate, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EngineException("cannot write " + config + ": " + e.getMessage(), false);
        }
        wanted = json;
        pause = FIRST_PAUSE;
        try {
            launch();
        } catch (EngineException e) {
            retryLater(process);
            throw e;
        }
        return true;
    }

    /** The core's version as it prints it, or "unknown" when it cannot say. */
    String version() {
        if (version == null) {
            version = askVersion();
        }
        return version;
    }

    synchronized OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            stop();
        }
        supervisor.shutdownNow();
        api.close();
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", pidFile, e.getMessage());
        }
    }

    /** Stops supervising and calling the core, and leaves it running (and its pid file) for the next agent. */
    void detach() {
        synchronized (this) {
            closed = true;
            process = null;
        }
        supervisor.shutdownNow();
        api.close();
    }

    private void validate(String json) throws EngineException {
        try {
            Files.createDirectories(settings.folder());
            Files.writeString(candidate, json);
        } catch (IOException e) {
            throw new EngineException("cannot write " + candidate + ": " + e.getMessage(), false);
        }
        List<String> command = settings.flavour().testCommand(settings.binary(), candidate);
        try {
            Process test = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(checkOutput.toFile()).start();
            if (!test.waitFor(30, TimeUnit.SECONDS)) {
                test.destroyForcibly();
                throw new EngineException("the core did not finish checking its configuration in 30 s", false);
            }
            if (test.exitValue() != 0) {
                throw new EngineException("the core refused its configuration: "
                        + gist(Files.readString(checkOutput)), true);
            }
        } catch (IOException e) {
            throw new EngineException("cannot run " + settings.binary() + ": " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while the core checked its configuration", false);
        }
    }

    /** Starts the process from {@link #config} and waits until its API answers; holds the lock. */
    private void launch() throws EngineException {
        Process started;
        try {
            started = new ProcessBuilder(settings.flavour().runCommand(settings.binary(), config))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            process = null;
            throw new EngineException("cannot run " + settings.binary() + ": " + e.getMessage(), false);
        }
        ProcessHandle handle = started.toHandle();
        process = handle;
        writePid(started.pid());
        awaitApi(started);
        long now = generation.incrementAndGet();
        log.info("the {} core runs (pid {}, API on 127.0.0.1:{}, start {})", settings.flavour().flavour(),
                started.pid(), apiPort, now);
        warnOfUnusableCertificate();
        handle.onExit().thenRunAsync(() -> exited(handle), supervisor);
    }

    private void awaitApi(Process started) throws EngineException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!started.isAlive()) {
                throw new EngineException("the core exited at start with code " + started.exitValue() + ": "
                        + gist(tail()), false);
            }
            api.resetBackoff();
            try {
                api.uptimeSeconds();
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    destroy(started.toHandle());
                    throw new EngineException("the core's API did not answer within " + START_TIMEOUT.toSeconds()
                            + " s of its start (" + e.getStatus().getCode() + ")", false);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy(started.toHandle());
                throw new EngineException("interrupted while the core started", false);
            }
        }
    }

    /**
     * V2Fly accepts a certificate or key it cannot parse (even {@code -test} passes) and only says
     * so at start; its TLS inbounds then fail every handshake.
     */
    private void warnOfUnusableCertificate() {
        tail().lines().filter(l -> l.contains("X509 key pair")).findFirst().ifPresent(line ->
                log.warn("the core cannot use the TLS certificate and key, so its TLS inbounds fail every handshake: {}",
                        line.strip()));
    }

    private synchronized void exited(ProcessHandle dead) {
        if (closed || !dead.equals(process)) {
            return;
        }
        log.warn("the {} core (pid {}) exited (last output: {}); starting it again",
                settings.flavour().flavour(), dead.pid(), gist(tail()));
        retryLater(dead);
    }

    private synchronized void restart(ProcessHandle dead) {
        if (closed || !dead.equals(process)) {
            return;
        }
        try {
            launch();
            pause = FIRST_PAUSE;
        } catch (EngineException e) {
            log.warn("the {} core did not start again: {}; next try in {} ms", settings.flavour().flavour(),
                    e.getMessage(), pause.toMillis());
            retryLater(process);
        }
    }

    /** Schedules a start after the current pause, then doubles the pause; holds the lock. */
    private void retryLater(ProcessHandle dead) {
        Duration wait = pause;
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        supervisor.schedule(() -> restart(dead), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the current process, if any, so that its exit is not taken for a crash; holds the lock. */
    private void stop() {
        ProcessHandle running = process;
        process = null;
        if (running != null) {
            destroy(running);
        }
    }

    private static void destroy(ProcessHandle running) {
        running.destroy();
        try {
            running.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            running.destroyForcibly();
            running.onExit().orTimeout(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).exceptionally(x -> running)
                    .join();
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void writePid(long pid) {
        try {
            Files.writeString(pidFile, Long.toString(pid));
        } catch (IOException e) {
            log.warn("cannot write {}: {}", pidFile, e.getMessage());
        }
    }

    /** The core a previous agent left running on this folder's configuration, if its recorded pid still runs it. */
    private ProcessHandle leftover() {
        if (!Files.isRegularFile(pidFile)) {
            return null;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid)
                    .filter(h -> h.info().arguments().map(a -> List.of(a).contains(config.toString())).orElse(false))
                    .orElse(null);
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot read {}: {}", pidFile, e.getMessage());
            return null;
        }
    }

    private String askVersion() {
        List<String> command = settings.flavour().versionCommand(settings.binary());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(printed.strip());
            if (m.find()) {
                return m.group(1);
            }
            log.warn("cannot read the core's version from '{}'", gist(printed));
        } catch (IOException e) {
            log.warn("cannot run {}: {}", String.join(" ", command), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }

    /** The last 16 KiB the core printed. */
    private String tail() {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long from = Math.max(0, file.length() - 16 * 1024);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** The line that explains a failure: a panic, the core's "main:" error, else the last line. */
    static String gist(String printed) {
        List<String> lines = printed.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().filter(l -> l.startsWith("panic:") || l.startsWith("main:")).findFirst()
                .orElse(lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1));
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port for the core's API: " + e.getMessage(), e);
        }
    }
}

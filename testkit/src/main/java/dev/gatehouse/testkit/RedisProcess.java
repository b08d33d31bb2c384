package dev.gatehouse.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} process of one test's own, on a free loopback port, that the test stops and
 * starts again on the same port: an outage of Redis. With {@code keepData} it keeps an append-only
 * file, so a restart comes back with what it held, as a production Redis would; without, it comes
 * back empty.
 */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final boolean keepData;
    private Process process;

    private RedisProcess(int port, Path dir, boolean keepData) {
        this.port = port;
        this.dir = dir;
        this.keepData = keepData;
    }

    /** Starts redis-server (the Debian package) and returns once it answers PING. */
    public static RedisProcess start(boolean keepData) throws Exception {
        RedisProcess redis = new RedisProcess(Ports.free(), Files.createTempDirectory("gh-redis"), keepData);
        redis.startAgain();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server (SIGTERM: with keepData its file is complete) and waits until it has exited. */
    public synchronized void stop() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Starts the server again on the same port; returns once it answers PING. */
    public synchronized void startAgain() throws Exception {
        if (process != null) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
                "--port", String.valueOf(port), "--dir", dir.toString(), "--save", ""));
        command.addAll(keepData ? List.of("--appendonly", "yes", "--appendfsync", "always")
                : List.of("--appendonly", "no"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!"PONG".equals(cli("PING"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not come up on port " + port + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(50);
        }
    }

    /** Runs one command with redis-cli and returns its output, trimmed; empty when the server is down. */
    public String cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port), "--raw"));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes()).trim();
        if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
            return "";
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A redis-server of the test's own, which the test can stop and start again on the same port. */
public final class Redis implements AutoCloseable {

    private final int port;
    private Process process;

    private Redis(int port) {
        this.port = port;
    }

    public static Redis start() throws Exception {
        RealPeers.require("redis-server", "redis-server");
        Redis redis = new Redis(Ports.free());
        redis.up();
        return redis;
    }

    public void up() throws IOException, InterruptedException {
        process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Wait.until("redis listens on " + port, 10, () -> Ports.listening(port));
    }

    public void down() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            down();
        }
    }
}

package dev.gatehouse.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real v2ray core (Debian's V2Fly package) run by a test with a configuration it wrote. */
public final class V2rayProcess implements AutoCloseable {

    private final Process process;
    private final Path config;
    private final Path log;

    private V2rayProcess(Process process, Path config, Path log) {
        this.process = process;
        this.config = config;
        this.log = log;
    }

    /** Starts v2ray with the JSON configuration and waits until it listens on {@code readyPort}. */
    public static V2rayProcess start(String json, int readyPort) throws IOException, InterruptedException {
        Path binary = RealPeers.require("v2ray", "v2ray");
        Path config = Files.createTempFile("v2ray", ".json");
        Path log = Files.createTempFile("v2ray", ".log");
        Files.writeString(config, json);
        Process process = new ProcessBuilder(binary.toString(), "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        V2rayProcess v2ray = new V2rayProcess(process, config, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Ports.listening(readyPort)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String output = Files.readString(log);
                v2ray.close();
                throw new IllegalStateException("v2ray did not start: " + output);
            }
            Thread.sleep(100);
        }
        return v2ray;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(config);
        Files.deleteIfExists(log);
    }

}

package dev.gatehouse.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Gatehouse app's built jar (control-api, collector, scheduler) run as its own process, the way
 * an operator runs it: settings in its environment, its output in a file the test reads.
 */
public final class AppJar implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;

    private AppJar(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** {@code <module>/target/gatehouse-<module>.jar} of this build. */
    public static Path of(String module) {
        Path root = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent();
        Path jar = root.resolve(module).resolve("target/gatehouse-" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is not built; package the " + module + " module first");
        }
        return jar;
    }

    /**
     * Starts the jar on {@code GATEHOUSE_HTTP_PORT=httpPort} (set here) and returns once its
     * readiness probe answers UP, so its context is complete.
     */
    public static AppJar start(Path jar, Map<String, String> env, int httpPort) throws Exception {
        Path log = Files.createTempFile(jar.getFileName().toString().replace(".jar", ""), ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(httpPort));
        AppJar app = new AppJar(pb.start(), log, httpPort);
        try {
            app.awaitReady();
        } catch (Exception | AssertionError e) {
            app.close();
            throw e;
        }
        return app;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                                + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200 && ready.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited while starting:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the app was not ready within 120 s:\n" + output());
            }
            Thread.sleep(200);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** The last {@code n} lines printed, for failure messages. */
    public String tail(int n) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    public List<String> lines() {
        return new ArrayList<>(output().lines().toList());
    }

    /** SIGTERM, as a service manager stops it: the app shuts down gracefully. Returns its exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** Stops the app; its output stays in the temporary file for a look after a failure. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop();
        }
    }
}

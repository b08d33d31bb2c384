package dev.gatehouse.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Gatehouse app run as a child JVM, its output relayed with the app's name in front. */
final class AppProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final int REMEMBERED_LINES = 40;

    private final String name;
    private final Path jar;
    private final int httpPort;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private static final java.util.regex.Pattern BOOTSTRAP_TOKEN = java.util.regex.Pattern.compile("ghb_[A-Za-z0-9_-]{43}");
    private volatile String bootstrapToken;
    private Process process;

    AppProcess(String name, Path jar, int httpPort) {
        this.name = name;
        this.jar = jar;
        this.httpPort = httpPort;
    }

    String name() {
        return name;
    }

    int httpPort() {
        return httpPort;
    }

    void start(Map<String, String> env, PrintStream out) {
        if (!Files.isRegularFile(jar)) {
            throw new LaunchException(jar + " is missing; build it with ./mvnw -DskipTests package");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", jar.toString())).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(httpPort));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("could not start " + name + ": " + e.getMessage(), e);
        }
        Thread relay = new Thread(() -> relay(out), name + "-output");
        relay.setDaemon(true);
        relay.start();
    }

    private void relay(PrintStream out) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                remember(line);
                var token = BOOTSTRAP_TOKEN.matcher(line);
                if (token.find()) {
                    bootstrapToken = token.group();
                }
                out.println("[" + name + "] " + line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private synchronized void remember(String line) {
        if (lastLines.size() == REMEMBERED_LINES) {
            lastLines.removeFirst();
        }
        lastLines.addLast(line);
    }

    /** Waits until the app's health endpoint answers UP; fails early if the process dies. */
    void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(healthUrl())).timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new LaunchException(name + " exited with code " + process.exitValue() + " before it was up");
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"status\":\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while waiting for " + name);
            }
            sleep(Duration.ofMillis(500));
        }
        throw new LaunchException(name + " was not healthy within " + timeout.toSeconds() + "s at " + healthUrl());
    }

    /** The one-time bootstrap token control-api printed, if it printed one. */
    String bootstrapToken() {
        return bootstrapToken;
    }

    String healthUrl() {
        return "http://127.0.0.1:" + httpPort + "/actuator/health";
    }

    /** Asks the app to stop (SIGTERM), and kills it if it has not stopped after a grace period. */
    void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.gatehouse.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The scheduler jar as its own process, on a given database and Redis, with its log in a file. */
final class SchedulerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private SchedulerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the jar and waits until its health is UP (the context is ready, so its jobs are scheduled). */
    static SchedulerProcess start(TestDatabase db, String redisUrl, String namespace, String dataKey,
                                  Map<String, String> settings) throws Exception {
        Path jar = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).resolve("target/gatehouse-scheduler.jar");
        assertThat(jar).as("the scheduler jar is built before the integration tests").exists();
        int port = Ports.free();
        Path log = Files.createTempFile("scheduler", ".log");
        Path secrets = Files.createTempDirectory("scheduler-secrets");
        Files.writeString(secrets.resolve("gatehouse.domain.data-key"), dataKey + "\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()));
        settings.forEach((k, v) -> command.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("GATEHOUSE_DB_URL", db.jdbcUrl());
        pb.environment().put("GATEHOUSE_DB_USER", db.username());
        pb.environment().put("GATEHOUSE_DB_PASSWORD", db.password() == null ? "" : db.password());
        pb.environment().put("GATEHOUSE_REDIS_URL", redisUrl);
        pb.environment().put("GATEHOUSE_REDIS_NAMESPACE", namespace);
        pb.environment().put("GATEHOUSE_SECRETS_DIR", secrets + "/");
        pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(port));
        SchedulerProcess started = new SchedulerProcess(pb.start(), log, port);
        started.awaitUp();
        return started;
    }

    private void awaitUp() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            assertThat(process.isAlive()).as("the scheduler exited:\n%s", output()).isTrue();
            assertThat(System.nanoTime()).as("the scheduler is up within 90 s:\n%s", output()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Freezes the process (SIGSTOP), as a paused VM or a long GC would. */
    void pause() throws Exception {
        signal("STOP");
    }

    /** Lets a paused process go on (SIGCONT). */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("CONT");
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}

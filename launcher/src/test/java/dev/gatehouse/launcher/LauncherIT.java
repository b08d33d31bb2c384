package dev.gatehouse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.gatehouse.testkit.NodeKeys;
import dev.gatehouse.testkit.Ports;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What `./gatehouse up` runs: the whole control plane on embedded PostgreSQL and Redis, from the
 * built jars, stopped like Ctrl-C stops it, and started again on the data it kept.
 */
class LauncherIT {

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Integer> ports = new HashMap<>();
    private Path home;
    private Process launcher;
    private Thread reader;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createTempDirectory("gatehouse-home");
        for (String name : List.of("GATEHOUSE_EMBEDDED_DB_PORT", "GATEHOUSE_EMBEDDED_REDIS_PORT",
                "GATEHOUSE_CONTROL_API_PORT", "GATEHOUSE_COLLECTOR_HTTP_PORT", "GATEHOUSE_SCHEDULER_HTTP_PORT",
                "GATEHOUSE_COLLECTOR_GRPC_PORT")) {
            ports.put(name, Ports.free());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (launcher != null && launcher.isAlive()) {
            launcher.destroy();
            if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
                launcher.descendants().forEach(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly();
            }
        }
    }

    @Test
    void startsTheControlPlaneStopsCleanlyAndKeepsItsDataAcrossARestart() throws Exception {
        startLauncher();
        for (String port : List.of("GATEHOUSE_CONTROL_API_PORT", "GATEHOUSE_COLLECTOR_HTTP_PORT",
                "GATEHOUSE_SCHEDULER_HTTP_PORT")) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.get(port) + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(port).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
        }
        assertThat(output).anyMatch(l -> l.startsWith("  control-api  http://127.0.0.1:"
                + ports.get("GATEHOUSE_CONTROL_API_PORT")));
        assertThat(output).anyMatch(l -> l.startsWith("First login: there is no default password."));
        assertThat(output).anyMatch(l -> l.matches("    -d '\\{\"token\":\"ghb_[A-Za-z0-9_-]{43}\".*"));

        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO tenants (name, slug) VALUES ('Kept across restarts', 'kept')");
        }
        // The data key is made under the data folder, readable by its owner only, and reaches control-api:
        // a node enrols with no setting at all.
        Path keyFile = home.resolve("data.key");
        assertThat(java.nio.file.Files.getPosixFilePermissions(keyFile))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String key = java.nio.file.Files.readString(keyFile).trim();
        assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(32);
        String caBefore = enrolNode("first");
        redis(connection -> connection.sync().set("gatehouse-launcher-check", "kept"));

        stopLauncher();
        for (int port : ports.values()) {
            assertThat(Ports.listening(port)).as("port %d is closed after the stop", port).isFalse();
        }

        output.clear();
        startLauncher();
        try (Connection c = database(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM tenants WHERE slug = 'kept'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Kept across restarts");
        }
        try (Connection c = database(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the embedded PostgreSQL keeps what it commits").isEqualTo("on");
            assertThat(rs.getString(2)).isEqualTo("on");
        }
        redis(connection -> assertThat(connection.sync().get("gatehouse-launcher-check")).isEqualTo("kept"));
        assertThat(java.nio.file.Files.readString(keyFile).trim()).isEqualTo(key);
        assertThat(enrolNode("second")).as("the CA's key opens again after a restart").isEqualTo(caBefore);
        stopLauncher();
    }

    /** Makes a node with an enrollment token in SQL, enrols it over HTTP; returns the CA certificate PEM. */
    private String enrolNode(String name) throws Exception {
        String token = "ghe_launcher_" + name;
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO nodes (tenant_id, name, address) SELECT id, '" + name + "', 'n.example.net'"
                    + " FROM tenants WHERE slug = 'kept'");
            s.execute("INSERT INTO enrollment_tokens (node_id, token_hash, expires_at) SELECT id,"
                    + " sha256(convert_to('" + token + "', 'UTF8')), now() + interval '1 hour' FROM nodes"
                    + " WHERE name = '" + name + "'");
        }
        String body = "{\"token\":\"" + token + "\",\"csr\":\""
                + NodeKeys.request().csrPem().replace("\n", "\\n") + "\"}";
        HttpResponse<String> enrolled = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + ports.get("GATEHOUSE_CONTROL_API_PORT") + "/nodes/enroll"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        Matcher bundle = Pattern.compile("\"ca_bundle\":\"([^\"]+)\"").matcher(enrolled.body());
        assertThat(bundle.find()).isTrue();
        return bundle.group(1);
    }

    private void startLauncher() throws Exception {
        Path root = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent();
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                Launcher.class.getName(), root.toString())
                .redirectErrorStream(true);
        pb.environment().put("GATEHOUSE_HOME", home.toString());
        pb.environment().remove("GATEHOUSE_DB_URL");
        pb.environment().remove("GATEHOUSE_REDIS_URL");
        pb.environment().remove("GATEHOUSE_DATA_KEY");
        ports.forEach((name, port) -> pb.environment().put(name, String.valueOf(port)));
        launcher = pb.start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();

        long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!output.contains("Gatehouse is up.")) {
            if (!launcher.isAlive()) {
                fail("the launcher exited with " + launcher.exitValue() + ":\n" + String.join("\n", output));
            }
            if (System.nanoTime() > deadline) {
                fail("the launcher was not up within " + UP_TIMEOUT + ":\n" + String.join("\n", output));
            }
            Thread.sleep(250);
        }
    }

    private void stopLauncher() throws Exception {
        // SIGTERM, as Ctrl-C's shutdown; through the handle, which unlike Process.destroy() keeps
        // the output stream open so the launcher's last lines are still read.
        launcher.toHandle().destroy();
        assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).as("the launcher stops").isTrue();
        reader.join(10_000);
        synchronized (output) {
            assertThat(output).contains("gatehouse: stopped");
            // PostgreSQL and Redis outlive the apps: no app lost them while stopping.
            List<String> stopping = output.subList(output.indexOf("gatehouse: stopping"), output.size());
            assertThat(stopping).noneMatch(line -> line.contains("Cannot reconnect")
                    || line.contains("Connection refused") || line.contains("terminating connection"));
        }
    }

    private Connection database() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + ports.get("GATEHOUSE_EMBEDDED_DB_PORT")
                + "/gatehouse", "postgres", "");
    }

    private void redis(java.util.function.Consumer<StatefulRedisConnection<String, String>> action) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + ports.get("GATEHOUSE_EMBEDDED_REDIS_PORT"));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            action.accept(connection);
        } finally {
            client.shutdown();
        }
    }

}

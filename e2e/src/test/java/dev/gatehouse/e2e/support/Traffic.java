package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Netns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The far end of the test's traffic ({@code TrafficServer}, a single-file program) in a namespace
 * or on the host: GET /down?bytes=N and POST /up.
 */
public final class Traffic implements AutoCloseable {

    private final Process process;
    private final int port;

    private Traffic(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts it in the namespace (null: on the host), listening on every address on {@code port}. */
    public static Traffic start(Netns ns, int port) throws Exception {
        Path source;
        try {
            source = Path.of(Traffic.class.getResource("/traffic/TrafficServer.java").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                source.toString(), String.valueOf(port));
        ProcessBuilder pb = new ProcessBuilder(ns == null ? java.toArray(String[]::new)
                : ns.inside(java.toArray(String[]::new))).redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("the traffic server did not start: " + line);
        }
        return new Traffic(p, port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

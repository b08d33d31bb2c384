package dev.gatehouse.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./gatehouse up}: starts embedded PostgreSQL and Redis (or uses the servers named by
 * GATEHOUSE_DB_URL / GATEHOUSE_REDIS_URL), then control-api, the collector and the scheduler, in
 * that order since control-api migrates the schema the others validate. Stops all on Ctrl-C.
 */
public final class Launcher {

    private static final Duration APP_START_TIMEOUT = Duration.ofMinutes(3);

    private final LauncherSettings settings;
    private final PrintStream out;
    private final EmbeddedServices services = new EmbeddedServices();
    private final List<AppProcess> started = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    Launcher(LauncherSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Launcher launcher;
        try {
            launcher = new Launcher(LauncherSettings.from(root, System.getenv()), System.out);
        } catch (LaunchException e) {
            System.err.println("gatehouse: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Ctrl-C and SIGTERM stop everything in order before the JVM starts shutting down: its
        // shutdown hooks run all at once, and the embedded Redis registers one of its own that would
        // stop Redis under the running apps (sun.misc.Signal: the JDK has no public API for this).
        // The hook below stays for any other way out.
        for (String signal : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                launcher.stop();
                System.exit(0);
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "gatehouse-stop"));
        try {
            launcher.start();
        } catch (LaunchException e) {
            System.err.println("gatehouse: " + e.getMessage());
            System.exit(1);
        }
        launcher.awaitStop();
    }

    void start() {
        try {
            Files.createDirectories(settings.home());
        } catch (java.io.IOException e) {
            throw new LaunchException("cannot create the data folder " + settings.home() + ": " + e.getMessage(), e);
        }
        String dbUrl = services.startPostgres(settings);
        String redisUrl = services.startRedis(settings);
        Map<String, String> env = Map.of(
                "GATEHOUSE_DB_URL", dbUrl,
                "GATEHOUSE_DB_USER", settings.dbUser(),
                "GATEHOUSE_DB_PASSWORD", settings.dbPassword(),
                "GATEHOUSE_REDIS_URL", redisUrl,
                "GATEHOUSE_DATA_KEY", settings.dataKey() != null ? settings.dataKey()
                        : DataKeyFile.ensure(settings.home()),
                // The embedded default serves node sessions on loopback only.
                "GATEHOUSE_COLLECTOR_BIND_ADDRESS", settings.collectorBindAddress());
        for (AppProcess app : apps()) {
            out.println("gatehouse: starting " + app.name() + " on port " + app.httpPort());
            started.add(app);
            app.start(env, out);
            app.awaitHealthy(APP_START_TIMEOUT);
        }
        printSummary(dbUrl, redisUrl, started.get(0).bootstrapToken());
    }

    private List<AppProcess> apps() {
        return List.of(
                new AppProcess("control-api", jar("control-api"), settings.controlApiPort()),
                new AppProcess("collector", jar("collector"), settings.collectorPort()),
                new AppProcess("scheduler", jar("scheduler"), settings.schedulerPort()));
    }

    private Path jar(String module) {
        return settings.root().resolve(module).resolve("target").resolve("gatehouse-" + module + ".jar");
    }

    private void printSummary(String dbUrl, String redisUrl, String bootstrapToken) {
        out.println();
        out.println("Gatehouse is up.");
        out.println("  control-api  http://127.0.0.1:" + settings.controlApiPort()
                + "  (REST API; health at /actuator/health)");
        out.println("  collector    http://127.0.0.1:" + settings.collectorPort() + "  (actuator)");
        out.println("  scheduler    http://127.0.0.1:" + settings.schedulerPort() + "  (actuator)");
        out.println("  PostgreSQL   " + dbUrl);
        out.println("  Redis        " + redisUrl);
        out.println("  data kept in " + settings.home());
        if (bootstrapToken != null) {
            out.println("First login: there is no default password. Create the first administrator once with:");
            out.println("  curl -X POST http://127.0.0.1:" + settings.controlApiPort() + "/auth/bootstrap"
                    + " -H 'Content-Type: application/json' \\");
            out.println("    -d '{\"token\":\"" + bootstrapToken
                    + "\",\"username\":\"admin-name\",\"password\":\"a long password\"}'");
        } else {
            out.println("First login: an administrator exists; sign in at POST /auth/login (README.md, 'First login').");
        }
        out.println("Press Ctrl-C to stop.");
    }

    void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the apps in reverse order, then Redis and PostgreSQL. Safe to call more than once. */
    synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        out.println("gatehouse: stopping");
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
        }
        services.close();
        out.println("gatehouse: stopped");
        stopped.countDown();
    }
}

package dev.gatehouse.bench;

import dev.gatehouse.testkit.AdminApi;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes that must not grow with the tenant: bulk creation of people with subscriptions on ten
 * nodes (POST /users/bulk, batches of 500), then single POST /subscriptions with that many
 * subscriptions and a million change-log rows in the database.
 */
final class DomainBench {

    private final Path root;
    private final int people;
    private final int batch;
    private final int singles;

    DomainBench(Path root, Options options) {
        this.root = root;
        this.people = options.integer("people", 100_000);
        this.batch = options.integer("batch", 500);
        this.singles = options.integer("singles", 500);
    }

    void run() throws Exception {
        try (ControlPlane plane = ControlPlane.start(root)) {
            AdminApi api = new AdminApi(plane.apiBase());
            api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
            String tenant = api.post("/tenants", Map.of("name", "Bench", "slug", "bench")).path("id").asString();
            for (int i = 0; i < 10; i++) {
                api.post("/nodes", Map.of("tenant_id", tenant, "name", "node-" + i, "address", "edge" + i + ".example.net",
                        "engines", Map.of(
                                "xray", Map.of("inbounds", List.of(Map.of("tag", "vless-in", "protocol", "vless",
                                        "port", 443, "network", "tcp", "security", "none"))),
                                "wireguard", Map.of("interface_name", "wg0", "listen_port", 51820))));
            }
            String plan = api.post("/plans", Map.of("tenant_id", tenant, "name", "monthly", "duration_days", 30,
                    "engines", List.of("xray", "wireguard"))).path("id").asString();

            List<Double> perBatch = new ArrayList<>();
            long started = System.nanoTime();
            for (int made = 0, n = 0; made < people; made += batch, n++) {
                api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
                List<String> names = new ArrayList<>();
                for (int i = 0; i < Math.min(batch, people - made); i++) {
                    names.add(String.format("person-%06d", made + i));
                }
                long t = System.nanoTime();
                api.post("/users/bulk", Map.of("tenant_id", tenant, "usernames", names,
                        "template", Map.of("plan_id", plan)));
                double seconds = (System.nanoTime() - t) / 1e9;
                perBatch.add(names.size() / seconds);
                if (n % 20 == 19) {
                    List<Double> recent = new ArrayList<>(perBatch.subList(perBatch.size() - 20, perBatch.size()));
                    recent.sort(null);
                    System.out.printf("bench: %,d people, median of the last 20 batches %.0f people/s%n",
                            made + names.size(), ControlPlane.percentile(recent, 50));
                }
            }
            double total = (System.nanoTime() - started) / 1e9;

            long logRows;
            try (Connection c = plane.database(); Statement s = c.createStatement()) {
                s.execute("""
                        INSERT INTO node_state_changes (node_id, revision, credential_id, engine, action, created_at)
                        SELECT n.id, 1 + (g % 200), gen_random_uuid(), 'xray', 'remove', now() - interval '30 days'
                        FROM nodes n, generate_series(1, GREATEST(0, 1000000 - (SELECT count(*) FROM node_state_changes))
                                                          / (SELECT count(*) FROM nodes)) g""");
                s.execute("ANALYZE");
                try (var rs = s.executeQuery("SELECT count(*) FROM node_state_changes")) {
                    rs.next();
                    logRows = rs.getLong(1);
                }
            }

            api.login(ControlPlane.ADMIN, ControlPlane.PASSWORD);
            List<Double> latencies = new ArrayList<>();
            for (int i = 0; i < singles + 50; i++) {
                String user = api.post("/users", Map.of("tenant_id", tenant, "username", "single-" + UUID.randomUUID()
                        .toString().substring(0, 12))).path("id").asString();
                long t = System.nanoTime();
                api.post("/subscriptions", Map.of("user_id", user, "plan_id", plan));
                if (i >= 50) {
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
            }
            latencies.sort(null);
            List<Double> first = new ArrayList<>(perBatch.subList(0, Math.min(20, perBatch.size())));
            List<Double> last = new ArrayList<>(perBatch.subList(Math.max(0, perBatch.size() - 20), perBatch.size()));
            first.sort(null);
            last.sort(null);
            System.out.println();
            System.out.println("| figure | value |");
            System.out.println("|---|---|");
            System.out.printf("| bulk creation, %,d people with subscriptions on 10 nodes | %.0f people/s overall (%.0f s) |%n",
                    people, people / total, total);
            System.out.printf("| bulk batch of %d, median of the first 20 batches | %.0f people/s |%n", batch,
                    ControlPlane.percentile(first, 50));
            System.out.printf("| bulk batch of %d, median of the last 20 batches | %.0f people/s |%n", batch,
                    ControlPlane.percentile(last, 50));
            System.out.printf("| POST /subscriptions with %,d subscriptions and %,d change-log rows, %d requests |"
                            + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms |%n", people, logRows, singles,
                    ControlPlane.percentile(latencies, 50), ControlPlane.percentile(latencies, 90),
                    ControlPlane.percentile(latencies, 99));
        }
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Reads the core's per-user counters, named {@code user>>>EMAIL>>>traffic>>>uplink|downlink}. */
final class UserStats {

    private UserStats() {
    }

    /** Counters per email (lower case); names of another shape are ignored. */
    static Map<String, Counters> counters(Map<String, Long> stats) {
        Map<String, Counters> counters = new HashMap<>();
        stats.forEach((name, value) -> {
            String[] parts = name.split(">>>");
            if (parts.length != 4 || !parts[0].equals("user") || !parts[2].equals("traffic")) {
                return;
            }
            String email = parts[1].toLowerCase(Locale.ROOT);
            Counters before = counters.getOrDefault(email, new Counters(0, 0));
            switch (parts[3]) {
                case "uplink" -> counters.put(email, new Counters(before.up() + value, before.down()));
                case "downlink" -> counters.put(email, new Counters(before.up(), before.down() + value));
                default -> {
                }
            }
        });
        return counters;
    }
}

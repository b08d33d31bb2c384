package dev.gatehouse.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs of a benchmark's command line, with defaults. */
record Options(Map<String, String> values) {

    static Options parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Options(values);
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }
}

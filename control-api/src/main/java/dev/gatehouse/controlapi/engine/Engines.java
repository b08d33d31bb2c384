package dev.gatehouse.controlapi.engine;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.domain.model.Engine;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The check of engine lists clients send, against the domain's {@link Engine}s. */
public final class Engines {

    private static final Set<String> ALL = Arrays.stream(Engine.values()).map(Engine::db)
            .collect(Collectors.toUnmodifiableSet());

    private Engines() {
    }

    /** The engines as a sorted, duplicate-free list; 400 naming the field on an unknown name. */
    public static List<String> parse(String field, List<String> engines) {
        TreeSet<String> result = new TreeSet<>();
        for (String e : engines) {
            String name = e == null ? "" : e.trim().toLowerCase(Locale.ROOT);
            if (!ALL.contains(name)) {
                throw ApiException.invalid(field, "'" + e + "' is not an engine; use xray or wireguard");
            }
            result.add(name);
        }
        return List.copyOf(result);
    }
}

package dev.gatehouse.controlapi.engine;

import dev.gatehouse.controlapi.problem.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The VPN engines Gatehouse drives, and the check of engine lists clients send. */
public final class Engines {

    public static final String XRAY = "xray";
    public static final String WIREGUARD = "wireguard";
    public static final Set<String> ALL = Set.of(XRAY, WIREGUARD);

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

package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.problem.ApiException;
import java.util.Map;

/**
 * The {@code sort} parameter of a list: a field name, with {@code -} in front for descending. Only
 * names from the list's own whitelist are accepted, so the ORDER BY text is never client text.
 */
public final class SortOrder {

    private SortOrder() {
    }

    /** The ORDER BY clause for the requested sort; the default when none is asked for. */
    public static String orderBy(String sort, Map<String, String> columns, String defaultSort) {
        String requested = sort == null || sort.isBlank() ? defaultSort : sort.trim();
        boolean descending = requested.startsWith("-");
        String field = descending ? requested.substring(1) : requested;
        String column = columns.get(field);
        if (column == null) {
            throw ApiException.invalid("sort", "use one of " + String.join(", ", new java.util.TreeSet<>(columns.keySet()))
                    + ", with '-' in front for descending");
        }
        return " ORDER BY " + column + (descending ? " DESC" : " ASC") + ", id";
    }
}

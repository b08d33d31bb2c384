package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.problem.ApiException;
import java.util.Map;
import org.springframework.data.domain.Sort;

/**
 * The {@code sort} parameter of a list: a field name, with {@code -} in front for descending. Only
 * names from the list's own whitelist are accepted, so the ORDER BY text is never client text.
 */
public final class SortOrder {

    private SortOrder() {
    }

    /** A sortable field of a JPA entity; {@code ignoreCase} sorts by its lower-cased value. */
    public record Field(String property, boolean ignoreCase) {
        public static Field of(String property) {
            return new Field(property, false);
        }

        public static Field lowerCased(String property) {
            return new Field(property, true);
        }
    }

    /** The requested sort of a JPA list, with the id as the tie-breaker; the default when none is asked for. */
    public static Sort sort(String sort, Map<String, Field> fields, String defaultSort) {
        String requested = sort == null || sort.isBlank() ? defaultSort : sort.trim();
        boolean descending = requested.startsWith("-");
        Field field = fields.get(descending ? requested.substring(1) : requested);
        if (field == null) {
            throw ApiException.invalid("sort", "use one of " + String.join(", ", new java.util.TreeSet<>(fields.keySet()))
                    + ", with '-' in front for descending");
        }
        Sort.Order order = new Sort.Order(descending ? Sort.Direction.DESC : Sort.Direction.ASC, field.property());
        return Sort.by(field.ignoreCase() ? order.ignoreCase() : order, Sort.Order.asc("id"));
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

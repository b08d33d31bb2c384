package dev.gatehouse.controlapi.problem;

import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * A write refused by a foreign key because the id it names does not exist: PostgreSQL's
 * {@code foreign_key_violation} on insert or update, whose detail names the column
 * ({@code Key (tenant_id)=(...) is not present in table "tenants"}). The column is the API's field
 * name; nothing else of the message reaches the client.
 */
final class MissingReference {

    private static final String FOREIGN_KEY_VIOLATION = "23503";
    private static final Pattern NOT_PRESENT = Pattern.compile("Key \\(([a-z_]+)\\)=\\(.*\\) is not present in table");

    private MissingReference() {
    }

    /** The field whose id names nothing; empty for any other violation (a row still referenced, say). */
    static Optional<String> of(DataIntegrityViolationException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
                Matcher m = NOT_PRESENT.matcher(String.valueOf(sql.getMessage()));
                return m.find() ? Optional.of(m.group(1)) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}

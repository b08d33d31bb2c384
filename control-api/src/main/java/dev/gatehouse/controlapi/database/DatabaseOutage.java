package dev.gatehouse.controlapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Tells whether a failure means "PostgreSQL is away" (answered 503, retry later) rather than a
 * fault of the request or a bug (500). A failure says so itself when its causes include a refused
 * or lost connection or no connection within the pool's timeout. It does not always: a connection
 * lost mid-transaction is closed by the pool, and the rollback's "connection is closed" is what
 * surfaces. So for any other database failure PostgreSQL is asked directly, through the circuit.
 */
@Component
public class DatabaseOutage {

    /** SQLSTATEs of a server shutting down, crashed or starting up (class 57P). */
    private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");

    private final DataSource dataSource;

    DatabaseOutage(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Whether {@code failure} is explained by PostgreSQL being unreachable now. */
    public boolean explains(Throwable failure) {
        if (saysUnreachable(failure)) {
            return true;
        }
        return isDatabaseFailure(failure) && !answers();
    }

    private boolean answers() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static boolean saysUnreachable(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof SQLTransientConnectionException || (t instanceof SQLException sql && lostServer(sql))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDatabaseFailure(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof DataAccessException || t instanceof TransactionException || t instanceof SQLException
                    || t instanceof jakarta.persistence.PersistenceException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the failure to get a connection came from PostgreSQL itself (refused, lost, shutting down). */
    static boolean isConnectionFailure(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof SQLException sql && lostServer(sql)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lostServer(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || SERVER_GOING_AWAY.contains(state));
    }
}

package dev.gatehouse.controlapi.database;

import java.sql.SQLTransientConnectionException;

/** Refused at once: the database circuit is open, PostgreSQL was unreachable moments ago. */
public class DatabaseUnavailableException extends SQLTransientConnectionException {

    DatabaseUnavailableException() {
        super("PostgreSQL is unreachable; not trying again for a few seconds", "08000");
    }
}

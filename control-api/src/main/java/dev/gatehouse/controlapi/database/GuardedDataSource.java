package dev.gatehouse.controlapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** The connection pool behind the {@link DatabaseCircuit}: every connection control-api takes passes it. */
class GuardedDataSource extends DelegatingDataSource {

    private final DatabaseCircuit circuit;

    GuardedDataSource(DataSource pool, DatabaseCircuit circuit) {
        super(pool);
        this.circuit = circuit;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return circuit.connect(() -> obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return circuit.connect(() -> obtainTargetDataSource().getConnection(username, password));
    }
}

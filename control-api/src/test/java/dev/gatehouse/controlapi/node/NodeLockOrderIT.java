package dev.gatehouse.controlapi.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Disabling or deleting a node locks the tenant's nodes in id order before it touches the node, the
 * order an assignment takes them in, so the two never deadlock: an assignment that holds a lower
 * node than the one going out of service still gets every node it goes on to lock.
 */
class NodeLockOrderIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @ParameterizedTest
    @ValueSource(strings = {"disable", "delete"})
    void takingANodeOutOfServiceWaitsForTheTenantsLowerNodesBeforeLockingItsOwn(String change) throws Exception {
        Tenant tenant = newTenant();
        node(tenant, null);
        node(tenant, null);
        List<UUID> ids = jdbc.sql("SELECT id FROM nodes WHERE tenant_id = ? ORDER BY id").param(tenant.id())
                .query(UUID.class).list();
        UUID low = ids.get(0);
        UUID high = ids.get(1);
        // The high node alone serves a subscription, so taking it out of service moves the subscription
        // to the low node: without the lock order, the high node is locked first and the low one after.
        String sub = subscribe(tenant, plan(tenant, null), "strategy", "manual", "node_ids", List.of(high))
                .path("subscription").path("id").asString();

        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Connection assignment = dataSource.getConnection()) {
            assignment.setAutoCommit(false);
            // An assignment for the same tenant part-way through locking its nodes in id order.
            assertThat(lockNodes(assignment, "SELECT id FROM nodes WHERE id = ? FOR UPDATE", low))
                    .containsExactly(low);
            int holder = backendPid(assignment);

            Future<Api.Response> taken = caller.submit(() -> change.equals("disable")
                    ? root.post("/nodes/" + high + "/disable", null)
                    : root.delete("/nodes/" + high));
            awaitWaiterOn(holder);

            // The assignment goes on to the tenant's other nodes. Had the change locked the high node
            // before waiting for the low one, this would be a deadlock and one side would fail.
            try (Statement s = assignment.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '10s'");
            }
            assertThat(lockNodes(assignment,
                    "SELECT id FROM nodes WHERE tenant_id = ? AND status <> 'disabled' ORDER BY id FOR UPDATE",
                    tenant.id())).containsExactly(low, high);
            assignment.commit();

            Api.Response response = taken.get(30, TimeUnit.SECONDS);
            assertThat(response.status()).as(response.body()).isEqualTo(change.equals("disable") ? 200 : 204);
        } finally {
            caller.shutdownNow();
        }
        JsonNode moved = root.get("/subscriptions/" + sub).json();
        assertThat(moved.path("nodes").get(0).path("node_id").asString()).isEqualTo(low.toString());
    }

    private static List<UUID> lockNodes(Connection connection, String sql, UUID parameter) throws SQLException {
        List<UUID> locked = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setObject(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    locked.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return locked;
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Returns once another session waits for a lock that the session {@code holder} holds. */
    private void awaitWaiterOn(int holder) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))")
                .param(holder).query(Long.class).single() == 0) {
            assertThat(System.nanoTime()).as("a session waits for the assignment's lock").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}

package dev.gatehouse.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testkit.TestDatabase;
import dev.gatehouse.testkit.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrations against a real PostgreSQL: the data model exists and enforces what it promises. */
class MigrationIT {

    private static TestDatabase db;

    @BeforeAll
    static void migrate() {
        db = TestPostgres.instance().createMigratedDatabase();
    }

    @Test
    void everyTableOfTheDataModelExists() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).contains("tenants", "users", "roles", "role_permissions", "memberships",
                "auth_sessions", "refresh_tokens", "plans", "subscriptions", "user_engines",
                "engine_credentials", "nodes", "node_certificates", "enrollment_tokens", "node_policies",
                "node_assignments", "node_revisions", "node_state_changes", "traffic_events",
                "traffic_rollups_hourly", "audit_logs", "node_served", "wg_address_pools", "wg_released_addresses");
    }

    @Test
    void eventsOfTwoDaysLandInTwoDailyPartitions() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        UUID node = UUID.randomUUID();
        try (Connection c = db.connect()) {
            insertEvent(c, node, today.atTime(10, 0).toInstant(ZoneOffset.UTC), 1);
            insertEvent(c, node, today.plusDays(1).atTime(0, 0, 1).toInstant(ZoneOffset.UTC), 2);
            List<String> partitions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT tableoid::regclass::text FROM traffic_events WHERE node_id = ? ORDER BY event_end_ts")) {
                ps.setObject(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        partitions.add(rs.getString(1));
                    }
                }
            }
            assertThat(partitions).containsExactly(
                    "traffic_events_p" + today.toString().replace("-", ""),
                    "traffic_events_p" + today.plusDays(1).toString().replace("-", ""));
        }
    }

    @Test
    void anEventForADayWithoutPartitionIsKeptInTheDefaultPartition() throws SQLException {
        UUID node = UUID.randomUUID();
        Instant farFuture = LocalDate.now(ZoneOffset.UTC).plusYears(3).atStartOfDay().toInstant(ZoneOffset.UTC);
        try (Connection c = db.connect()) {
            insertEvent(c, node, farFuture, 1);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT tableoid::regclass::text FROM traffic_events WHERE node_id = ?")) {
                ps.setObject(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("traffic_events_default");
                }
            }
        }
    }

    @Test
    void aDuplicateDedupeKeyIsRejected() throws SQLException {
        UUID node = UUID.randomUUID();
        Instant end = Instant.now();
        try (Connection c = db.connect()) {
            insertEvent(c, node, end, 7);
            assertThatThrownBy(() -> insertEvent(c, node, end, 7))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
            // The same key with another counter_seq is a different sample.
            insertEvent(c, node, end, 8);
        }
    }

    @Test
    void auditLogsAreAppendOnly() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO audit_logs (actor_kind, action) VALUES ('system', 'test.append')");
            assertThatThrownBy(() -> s.execute("UPDATE audit_logs SET action = 'tampered'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("DELETE FROM audit_logs"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("TRUNCATE audit_logs"))
                    .hasMessageContaining("append-only");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_logs WHERE action = 'test.append'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void inboundSettingsStoredBeforeV8BecomeTypedParts() throws SQLException {
        TestDatabase old = TestPostgres.instance().createDatabase();
        Flyway.configure().dataSource(old.jdbcUrl(), old.username(), old.password())
                .locations("classpath:db/migration").target("7").load().migrate();
        try (Connection c = old.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-0000000000f1', 't', 't')");
            s.execute("""
                    INSERT INTO nodes (tenant_id, name, address, engines) VALUES
                    ('00000000-0000-0000-0000-0000000000f1', 'n', 'n.example.net', '{"xray": {"inbounds": [
                      {"tag": "r", "protocol": "vless", "port": 443, "network": "tcp", "security": "reality",
                       "flow": "xtls-rprx-vision", "settings": {"sni": "www.example.com", "public_key": "k",
                       "short_id": "ab", "fingerprint": "chrome"}},
                      {"tag": "w", "protocol": "vmess", "port": 80, "network": "ws", "security": "none", "flow": "",
                       "settings": {"path": "/v"}},
                      {"tag": "s", "protocol": "shadowsocks", "port": 8388, "settings": {}}]},
                     "wireguard": {"interface_name": "wg0", "listen_port": 51820}}')""");
        }
        assertThat(flyway(old).migrate().migrationsExecuted).isPositive();
        try (Connection c = old.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT engines::text FROM nodes")) {
            rs.next();
            String engines = rs.getString(1);
            assertThat(engines).doesNotContain("\"settings\"")
                    .contains("\"reality\": {\"short_id\": \"ab\", \"public_key\": \"k\", \"fingerprint\": \"chrome\","
                            + " \"server_name\": \"www.example.com\"}")
                    .contains("\"ws\": {\"path\": \"/v\"}")
                    .contains("\"shadowsocks\": {\"method\": \"chacha20-ietf-poly1305\"}")
                    .contains("\"flow\": \"xtls-rprx-vision\"")
                    .contains("\"wireguard\": {\"listen_port\": 51820, \"interface_name\": \"wg0\"}");
            assertThat(engines.indexOf("\"tag\": \"r\"")).isLessThan(engines.indexOf("\"tag\": \"w\""));
            assertThat(engines).doesNotContain("\"flow\": \"\"");
        }
    }

    @Test
    void nodeCertificatesStoredBeforeV14AreOfTheOneIssuingCa() throws SQLException {
        TestDatabase old = TestPostgres.instance().createDatabase();
        Flyway.configure().dataSource(old.jdbcUrl(), old.username(), old.password())
                .locations("classpath:db/migration").target("13").load().migrate();
        try (Connection c = old.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-0000000000f1', 't', 't')");
            s.execute("""
                    INSERT INTO nodes (id, tenant_id, name, address) VALUES
                    ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000f1', 'n', 'n.example.net')""");
            s.execute("""
                    INSERT INTO node_cas (id, certificate, private_key, fingerprint, not_before, not_after, issuing)
                    VALUES ('00000000-0000-0000-0000-0000000000c1', '-----BEGIN CERTIFICATE-----', '\\x00',
                            repeat('a', 64), now(), now() + interval '10 years', true)""");
            s.execute("""
                    INSERT INTO node_certificates (serial, node_id, fingerprint, not_before, not_after)
                    VALUES ('ab', '00000000-0000-0000-0000-0000000000e1', repeat('b', 64), now(), now() + interval '7 days')""");
        }
        assertThat(flyway(old).migrate().migrationsExecuted).isPositive();
        try (Connection c = old.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT c.ca_id::text, a.promoted_at = a.created_at
                     FROM node_certificates c JOIN node_cas a ON a.id = c.ca_id""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("00000000-0000-0000-0000-0000000000c1");
            assertThat(rs.getBoolean(2)).as("a CA made before V14 has issued since it was made").isTrue();
        }
    }

    @Test
    void migratingAgainAppliesNothing() {
        var result = flyway(db).migrate();
        assertThat(result.migrationsExecuted).isZero();
    }

    @Test
    void aSchemaBuiltWithoutFlywayIsRefusedWithFlywaysMessage() throws SQLException {
        TestDatabase other = TestPostgres.instance().createDatabase();
        try (Connection c = other.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tenants (id uuid PRIMARY KEY)");
        }
        assertThatThrownBy(() -> flyway(other).migrate())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("non-empty schema")
                .hasMessageContaining("no schema history table");
    }

    @Test
    void partitionFunctionsAreIdempotent() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT gatehouse_ensure_event_partitions(?, 3), gatehouse_ensure_rollup_partitions(?, 1)")) {
            ps.setObject(1, today);
            ps.setObject(2, today);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
                assertThat(rs.getInt(2)).isZero();
            }
        }
    }

    @Test
    void oneHourOfOnePersonOnOneNodeIsKeptApartPerSubscription() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO traffic_rollups_hourly (hour_start_ts, user_id, node_id, engine, tenant_id, subscription_id,
                                                    bytes_up, bytes_down, events)
                VALUES (date_trunc('hour', now()), ?, ?, 'xray', ?, ?, 1, 2, 1)
                ON CONFLICT (hour_start_ts, subscription_id, node_id, engine)
                DO UPDATE SET bytes_up = EXCLUDED.bytes_up""")) {
            UUID person = UUID.randomUUID();
            UUID node = UUID.randomUUID();
            for (UUID subscription : List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID())) {
                ps.setObject(1, person);
                ps.setObject(2, node);
                ps.setObject(3, new UUID(0, 2));
                ps.setObject(4, subscription);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM traffic_rollups_hourly WHERE user_id = '" + person + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        }
    }

    private static Flyway flyway(TestDatabase target) {
        return Flyway.configure()
                .dataSource(target.jdbcUrl(), target.username(), target.password())
                .locations("classpath:db/migration")
                .load();
    }

    private static void insertEvent(Connection c, UUID node, Instant end, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO traffic_events (event_end_ts, node_id, engine, user_id, counter_seq, tenant_id,
                                            subscription_id, event_start_ts, bytes_up, bytes_down)
                VALUES (?, ?, 'xray', ?, ?, ?, ?, ?, 10, 20)""")) {
            ps.setTimestamp(1, Timestamp.from(end));
            ps.setObject(2, node);
            ps.setObject(3, new UUID(0, 1));
            ps.setLong(4, seq);
            ps.setObject(5, new UUID(0, 2));
            ps.setObject(6, new UUID(0, 3));
            ps.setTimestamp(7, Timestamp.from(end.minusSeconds(60)));
            ps.executeUpdate();
        }
    }
}

package dev.gatehouse.testkit;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Small factory methods that lay out a tenant, people, plans, nodes and subscriptions in SQL. */
public record Fixtures(JdbcClient jdbc, TransactionTemplate tx) {

    public static final String NODE_ENGINES = """
            {"xray": {"inbounds": [{"tag": "vless-in", "protocol": "vless", "port": 443, "network": "tcp",
                                    "security": "reality", "flow": "xtls-rprx-vision",
                                    "reality": {"server_name": "www.example.com", "short_id": "6ba85179e30d4fc2",
                                                "public_key": "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw"}}]},
             "wireguard": {"interface_name": "wg0", "listen_port": 51820, "address": "10.66.0.1/16"}}""";

    public UUID tenant() {
        String slug = "t" + UUID.randomUUID().toString().substring(0, 12);
        return jdbc.sql("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id").params(slug, slug)
                .query(UUID.class).single();
    }

    public UUID person(UUID tenant) {
        return jdbc.sql("INSERT INTO users (tenant_id, username) VALUES (?, ?) RETURNING id")
                .params(tenant, "u" + UUID.randomUUID().toString().substring(0, 12)).query(UUID.class).single();
    }

    public UUID plan(UUID tenant, Long quota) {
        return jdbc.sql("INSERT INTO plans (tenant_id, name, quota_bytes) VALUES (?, ?, ?) RETURNING id")
                .params(tenant, "p" + UUID.randomUUID(), quota).query(UUID.class).single();
    }

    public UUID node(UUID tenant) {
        return node(tenant, NODE_ENGINES, 1.0);
    }

    public UUID node(UUID tenant, String engines, double coefficient) {
        UUID id = jdbc.sql("""
                        INSERT INTO nodes (tenant_id, name, address, engines, usage_coefficient, status)
                        VALUES (?, ?, 'edge.example.net', ?::jsonb, ?, 'online') RETURNING id""")
                .params(tenant, "n" + UUID.randomUUID(), engines, coefficient).query(UUID.class).single();
        jdbc.sql("INSERT INTO node_revisions (node_id) VALUES (?)").param(id).update();
        return id;
    }

    /** An active subscription of both engines on the nodes (first primary), with one credential per engine. */
    public UUID subscription(UUID tenant, UUID person, UUID plan, List<UUID> nodes) {
        UUID id = jdbc.sql("""
                        INSERT INTO subscriptions (tenant_id, user_id, plan_id, engines, quota_bytes, starts_at,
                                                   sub_token_hash)
                        SELECT ?, ?, p.id, p.engines, p.quota_bytes, now(), decode(md5(random()::text) || md5(random()::text), 'hex')
                        FROM plans p WHERE p.id = ? RETURNING id""")
                .params(tenant, person, plan).query(UUID.class).single();
        jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)
                        VALUES (?, ?, 'xray', gen_random_uuid(), '')""").params(tenant, id).update();
        jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, wg_public_key, wg_address)
                        VALUES (?, ?, 'wireguard', encode(decode(md5(random()::text) || md5(random()::text), 'hex'), 'base64'),
                                CAST('10.66.0.0' AS inet) + 2 + (SELECT count(*) FROM engine_credentials
                                                                 WHERE tenant_id = ? AND engine = 'wireguard'))""")
                .params(tenant, id, tenant).update();
        for (int i = 0; i < nodes.size(); i++) {
            jdbc.sql("INSERT INTO node_assignments (subscription_id, node_id, tenant_id, role) VALUES (?, ?, ?, ?)")
                    .params(id, nodes.get(i), tenant, i == 0 ? "primary" : "redundant").update();
        }
        return id;
    }

    public List<UUID> credentials(UUID subscription) {
        return jdbc.sql("SELECT id FROM engine_credentials WHERE subscription_id = ? AND status = 'active' ORDER BY id")
                .param(subscription).query(UUID.class).list();
    }

    public long revision(UUID node) {
        return jdbc.sql("SELECT desired_revision FROM node_revisions WHERE node_id = ?").param(node)
                .query(Long.class).single();
    }
}

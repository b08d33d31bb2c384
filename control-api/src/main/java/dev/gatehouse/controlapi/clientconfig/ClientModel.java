package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.InboundRules;
import dev.gatehouse.domain.node.NodeEngineSettings;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a person may use where: the served rule of the domain core (the view served_credentials),
 * the very rule the nodes' desired state follows, read per person.
 */
@Component
class ClientModel {

    /** The person behind a subscription token, with what their subscription-info headers report. */
    record Holder(UUID subscriptionId, UUID userId, UUID tenantId, String username, String state, long upload,
                  long download, Long total, Instant expiresAt) {
    }

    private final JdbcClient jdbc;

    ClientModel(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Where the person is served: the served rule of the domain core, with each node's settings. A
     * node that has never enrolled (pending) serves nobody yet, so clients are not given it; it
     * appears once its agent has enrolled. WireGuard on a node appears once the node's interface key
     * is known (the agent makes it and reports its public half). An inbound stored before the inbound
     * rules existed that breaks them is left out rather than rendered broken.
     */
    List<ClientEndpoint> endpoints(UUID userId) {
        List<ClientEndpoint> result = new ArrayList<>();
        jdbc.sql("""
                        SELECT sc.subscription_id, n.id, n.name, n.address, n.engines::text, sc.engine, sc.xray_uuid,
                               sc.xray_flow, sc.wg_private_key, sc.wg_preshared_key, host(sc.wg_address)
                        FROM served_credentials sc JOIN nodes n ON n.id = sc.node_id
                        WHERE sc.user_id = ? AND n.status <> ?
                        ORDER BY sc.role <> 'primary', n.name, sc.engine""")
                .params(userId, NodeStatus.PENDING.db())
                .query(rs -> {
                    NodeEngineSettings engines = NodeEngineSettings.parse(rs.getString(5));
                    Engine engine = Engine.fromDb(rs.getString(6));
                    UUID sub = rs.getObject(1, UUID.class);
                    UUID node = rs.getObject(2, UUID.class);
                    if (engine == Engine.XRAY) {
                        for (NodeEngineSettings.Inbound inbound : engines.xray().inbounds().stream()
                                .filter(InboundRules::servable).toList()) {
                            result.add(new ClientEndpoint(sub, node, rs.getString(3), rs.getString(4), engine, inbound,
                                    null, rs.getObject(7, UUID.class), rs.getString(8), null, null, null));
                        }
                    } else if (engines.wireguard() != null && engines.wireguard().publicKey() != null) {
                        result.add(new ClientEndpoint(sub, node, rs.getString(3), rs.getString(4), engine, null,
                                engines.wireguard(), null, null, rs.getString(9), rs.getString(10), rs.getString(11)));
                    }
                });
        return result;
    }

    /** The holder of a subscription token; empty for an unknown or rotated token or a deleted person. */
    Optional<Holder> holderOfToken(byte[] tokenHash) {
        return jdbc.sql("""
                        SELECT u.id, u.tenant_id, u.username, s.state, s.used_bytes_up, s.used_bytes_down,
                               s.quota_bytes, s.expires_at, s.id
                        FROM subscriptions s JOIN users u ON u.id = s.user_id
                        WHERE s.sub_token_hash = ?""")
                .param(tokenHash)
                .query((rs, n) -> {
                    Timestamp expires = rs.getTimestamp(8);
                    return new Holder(rs.getObject(9, UUID.class), rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getLong(6), (Long) rs.getObject(7),
                            expires == null ? null : expires.toInstant());
                })
                .optional();
    }
}

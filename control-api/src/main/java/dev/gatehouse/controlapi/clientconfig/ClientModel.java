package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.controlapi.node.NodeDtos;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a person may use where: the same rule as the nodes' desired state (live subscription,
 * active account, engines in effect, node in service and offering the engine), read per person.
 */
@Component
class ClientModel {

    /** The person behind a subscription token, with what their subscription-info headers report. */
    record Holder(UUID subscriptionId, UUID userId, UUID tenantId, String username, String state, long upload,
                  long download, Long total, Instant expiresAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ClientModel(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<ClientEndpoint> endpoints(UUID userId) {
        List<ClientEndpoint> result = new ArrayList<>();
        jdbc.sql("""
                        SELECT s.id, n.id, n.name, n.address, n.engines::text, c.engine, c.xray_uuid, c.xray_flow,
                               c.wg_private_key, c.wg_preshared_key, host(c.wg_address)
                        FROM subscriptions s
                        JOIN users u ON u.id = s.user_id AND u.status = 'active'
                        JOIN node_assignments a ON a.subscription_id = s.id
                        JOIN nodes n ON n.id = a.node_id AND n.status <> 'disabled'
                        JOIN engine_credentials c ON c.subscription_id = s.id AND c.status = 'active'
                        LEFT JOIN user_engines ue ON ue.user_id = s.user_id
                        WHERE s.user_id = ?
                          AND s.state IN ('active', 'on_hold')
                          AND c.engine = ANY(COALESCE(ue.engines, s.engines))
                          AND jsonb_typeof(n.engines -> c.engine) = 'object'
                        ORDER BY a.role <> 'primary', n.name, c.engine""")
                .param(userId)
                .query(rs -> {
                    NodeDtos.NodeEngines engines = json.readValue(rs.getString(5), NodeDtos.NodeEngines.class);
                    String engine = rs.getString(6);
                    UUID sub = rs.getObject(1, UUID.class);
                    UUID node = rs.getObject(2, UUID.class);
                    if ("xray".equals(engine)) {
                        for (NodeDtos.XrayInbound inbound : engines.xray().inbounds()) {
                            result.add(new ClientEndpoint(sub, node, rs.getString(3), rs.getString(4), engine, inbound,
                                    null, rs.getObject(7, UUID.class), rs.getString(8), null, null, null));
                        }
                    } else {
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

package dev.gatehouse.collector.session;

import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeKey;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Public keys a node made for itself (its WireGuard interface, its REALITY inbounds) and reported in
 * Hello, stored into the node's engine settings where client configurations read them. The private
 * halves never leave the node, so no operator pastes server keys into the panel. A key of the wrong
 * shape, or for an inbound the node does not have, is logged and left out.
 */
public class ReportedKeys {

    private static final Logger log = LoggerFactory.getLogger(ReportedKeys.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern REALITY_KEY = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final JdbcClient jdbc;

    public ReportedKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the keys into the node's settings; returns how many changed. */
    public int store(UUID node, List<NodeKey> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        String stored = jdbc.sql("SELECT engines::text FROM nodes WHERE id = ? FOR UPDATE").param(node)
                .query(String.class).optional().orElse(null);
        if (stored == null) {
            return 0;
        }
        ObjectNode engines = (ObjectNode) JSON.readTree(stored);
        int changed = 0;
        for (NodeKey key : keys) {
            List<ObjectNode> targets = targets(engines, key);
            if (targets.isEmpty()) {
                log.info("node {} reported a {} key for {} it does not serve: left out", node, key.getEngine(),
                        key.getInboundTag().isEmpty() ? "its interface" : "inbound " + key.getInboundTag());
            } else if (!wellFormed(key)) {
                log.info("node {} reported a malformed {} public key: left out", node, key.getEngine());
            } else {
                for (ObjectNode target : targets) {
                    if (!key.getPublicKey().equals(target.path("public_key").asString(""))) {
                        target.put("public_key", key.getPublicKey());
                        changed++;
                    }
                }
            }
        }
        if (changed > 0) {
            jdbc.sql("UPDATE nodes SET engines = ?::jsonb WHERE id = ?").params(JSON.writeValueAsString(engines), node)
                    .update();
            log.info("node {} reported {} new public key(s); client configurations use them now", node, changed);
        }
        return changed;
    }

    /**
     * The settings objects the key goes into: the WireGuard interface; the REALITY settings of the
     * inbound it names, or of every REALITY inbound for a key with no tag (one key for the node).
     * Empty when the node has no such interface or inbound.
     */
    private static List<ObjectNode> targets(ObjectNode engines, NodeKey key) {
        List<ObjectNode> targets = new java.util.ArrayList<>();
        if (key.getEngine() == Engine.ENGINE_WIREGUARD && engines.get("wireguard") instanceof ObjectNode wg) {
            targets.add(wg);
        }
        if (key.getEngine() == Engine.ENGINE_XRAY) {
            for (JsonNode inbound : engines.path("xray").path("inbounds")) {
                if ((key.getInboundTag().isEmpty() || key.getInboundTag().equals(inbound.path("tag").asString()))
                        && "reality".equals(inbound.path("security").asString())
                        && inbound instanceof ObjectNode in) {
                    targets.add(in.get("reality") instanceof ObjectNode reality ? reality : in.putObject("reality"));
                }
            }
        }
        return targets;
    }

    private static boolean wellFormed(NodeKey key) {
        if (key.getEngine() == Engine.ENGINE_WIREGUARD) {
            try {
                return Base64.getDecoder().decode(key.getPublicKey()).length == 32;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return REALITY_KEY.matcher(key.getPublicKey()).matches();
    }
}

package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A person's client configurations, per engine, from the one client model. */
@Service
class ClientConfigService {

    /** One importable artifact: a share link and a client JSON for Xray, a .conf for WireGuard. */
    record Artifact(UUID nodeId, String remark, String protocol, String shareLink, Map<String, Object> clientJson,
                    String wireguardConf) {
    }

    /** The person's artifacts keyed by engine; an engine they may not use is absent. */
    record ConfigsResponse(UUID userId, Map<String, List<Artifact>> engines) {
    }

    private final ClientModel model;
    private final ShareLinks links;
    private final XrayClientConfig xray;
    private final WireGuardConfig wireguard;
    private final AccessPolicy access;
    private final JdbcClient jdbc;

    ClientConfigService(ClientModel model, ShareLinks links, XrayClientConfig xray, WireGuardConfig wireguard,
                        AccessPolicy access, JdbcClient jdbc) {
        this.model = model;
        this.links = links;
        this.xray = xray;
        this.wireguard = wireguard;
        this.access = access;
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    ConfigsResponse configs(UUID userId, int socksPort) {
        visible(userId);
        return render(userId, model.endpoints(userId), socksPort);
    }

    ConfigsResponse render(UUID userId, List<ClientEndpoint> endpoints, int socksPort) {
        List<Artifact> xrayArtifacts = new ArrayList<>();
        List<Artifact> wgArtifacts = new ArrayList<>();
        for (ClientEndpoint e : endpoints) {
            if (e.engine() == Engine.XRAY) {
                xrayArtifacts.add(new Artifact(e.nodeId(), e.remark(), e.inbound().protocol().db(), links.link(e),
                        xray.render(e, socksPort), null));
            } else {
                wgArtifacts.add(new Artifact(e.nodeId(), e.remark(), "wireguard", null, null, wireguard.render(e)));
            }
        }
        Map<String, List<Artifact>> engines = new java.util.LinkedHashMap<>();
        if (!xrayArtifacts.isEmpty()) {
            engines.put(Engine.XRAY.db(), xrayArtifacts);
        }
        if (!wgArtifacts.isEmpty()) {
            engines.put(Engine.WIREGUARD.db(), wgArtifacts);
        }
        return new ConfigsResponse(userId, engines);
    }

    /** The WireGuard configurations of a person; 403 when WireGuard is not among their engines. */
    @Transactional(readOnly = true)
    List<String> wireguardConfs(UUID userId) {
        visible(userId);
        List<String> confs = model.endpoints(userId).stream().filter(e -> e.engine() == Engine.WIREGUARD)
                .map(wireguard::render).toList();
        if (confs.isEmpty()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "WireGuard is not among this person's engines, or no"
                    + " node of theirs offers it");
        }
        return confs;
    }

    private void visible(UUID userId) {
        UUID tenantId = jdbc.sql("SELECT tenant_id FROM users WHERE id = ? AND tenant_id IS NOT NULL").param(userId)
                .query(UUID.class).optional().orElseThrow(() -> ApiException.notFound("user"));
        access.check(Module.SUBSCRIPTIONS, Operation.READ, tenantId, userId, "user");
    }
}

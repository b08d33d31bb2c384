package dev.gatehouse.nodeagent;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.session.CollectorSession;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/agent}: what {@code status} prints (session, revision, cores, buffer). */
@Endpoint(id = "agent")
public class AgentEndpoint {

    private final CollectorSession session;
    private final Reconciler reconciler;
    private final SampleLog buffer;

    public AgentEndpoint(CollectorSession session, Reconciler reconciler, SampleLog buffer) {
        this.session = session;
        this.reconciler = reconciler;
        this.buffer = buffer;
    }

    @ReadOperation
    public Map<String, Object> agent() {
        CollectorSession.View view = session.view();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("session", view.state());
        out.put("collector", view.collector());
        out.put("connected_since", view.connectedSince() == null ? "" : view.connectedSince().toString());
        out.put("last_error", view.lastError());
        out.put("certificate_expires", view.certificateExpires() == null ? "" : view.certificateExpires().toString());
        out.put("applied_revision", reconciler.revision());
        out.put("desired_users", reconciler.desiredCount());
        out.put("failures", reconciler.failures().size());
        List<Map<String, String>> cores = reconciler.engines().stream().map(AgentEndpoint::core).toList();
        out.put("cores", cores);
        out.put("buffered_samples", buffer.pendingSamples());
        out.put("buffered_bytes", buffer.bytesOnDisk());
        return out;
    }

    private static Map<String, String> core(EngineDriver engine) {
        return Map.of("engine", engine.engine().name(), "flavour", engine.info().flavour(),
                "version", engine.info().version());
    }
}

package dev.gatehouse.collector.session;

import com.google.protobuf.Timestamp;
import dev.gatehouse.domain.traffic.TrafficIngest;
import dev.gatehouse.collector.ingest.TrafficWriter;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.domain.node.NodeEngineSettings;
import dev.gatehouse.domain.node.NodeEvent;
import dev.gatehouse.domain.node.ServedCredential;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.CapabilityVersion;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.DesiredStateDiff;
import dev.gatehouse.proto.agent.v1.DesiredStateSnapshot;
import dev.gatehouse.proto.agent.v1.Goodbye;
import dev.gatehouse.proto.agent.v1.GoodbyeCode;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.NodeSessionGrpc;
import dev.gatehouse.proto.agent.v1.RenewedCertificate;
import dev.gatehouse.proto.agent.v1.SampleRejection;
import dev.gatehouse.proto.agent.v1.TrafficAck;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import dev.gatehouse.proto.agent.v1.Welcome;
import dev.gatehouse.proto.agent.v1.WireGuardCredential;
import dev.gatehouse.proto.agent.v1.WireGuardInterface;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one session each node holds: Hello is answered with Welcome and the node's desired state (a
 * snapshot, or the diff since the revision it last applied); traffic batches are stored exactly once
 * and acknowledged only after commit; node events from the control plane push diffs at once or end
 * the session. A newer session of the same node supersedes the older one on this collector.
 */
public class NodeSessions extends NodeSessionGrpc.NodeSessionImplBase {

    private static final Logger log = LoggerFactory.getLogger(NodeSessions.class);
    /** The log field naming the node a line is about (MDC). */
    static final String NODE_ID = "node_id";
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
            .build();

    private final JdbcClient jdbc;
    private final DesiredState desired;
    private final TrafficWriter writer;
    private final NodeCa ca;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final int maxBatchSamples;
    private final ReportedKeys keys;
    private final String interfaceAddress;
    private final Duration trafficInterval;
    private final Duration idleTimeout;
    private final int snapshotPart;
    private final Map<UUID, Session> open = new ConcurrentHashMap<>();
    private final Counter received;
    private final Counter inserted;
    private final Counter duplicate;
    private final Counter rejected;
    private final io.micrometer.core.instrument.Timer batchTime;
    private final io.micrometer.core.instrument.Timer ingestLag;
    private final EnforcementLatency enforcement;
    private final MeterRegistry meters;
    /** One span per agent message, exported when tracing is on. */
    private final Tracer tracer;
    private final Map<UUID, Instant> certificateExpiry = new ConcurrentHashMap<>();
    /** Open sessions whose agent had not been sent its node's desired revision at the last check. */
    private final java.util.concurrent.atomic.AtomicInteger pendingDiffs = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Set<UUID> expiryGauges = ConcurrentHashMap.newKeySet();
    /** This collector among several: a session opened elsewhere supersedes ours. */
    private final String instance = UUID.randomUUID().toString();
    private final java.util.function.BiConsumer<String, UUID> announce;

    public NodeSessions(JdbcClient jdbc, DesiredState desired, TrafficWriter writer, NodeCa ca,
                        TransactionTemplate tx, Clock clock, int maxBatchSamples, Duration trafficInterval,
                        Duration idleTimeout, int snapshotPart, String wireguardPool, MeterRegistry meters,
                        java.util.function.BiConsumer<String, UUID> announce, Tracer tracer) {
        this.tracer = tracer;
        this.idleTimeout = idleTimeout;
        this.snapshotPart = snapshotPart;
        this.meters = meters;
        this.announce = announce;
        this.batchTime = io.micrometer.core.instrument.Timer.builder("gatehouse_collector_batch_seconds")
                .description("time to store and count one traffic batch, until its acknowledgement")
                .publishPercentileHistogram().register(meters);
        this.ingestLag = io.micrometer.core.instrument.Timer.builder("gatehouse_collector_ingest_lag_seconds")
                .description("from a batch's newest sample end to its acknowledgement")
                .publishPercentileHistogram().register(meters);
        this.jdbc = jdbc;
        this.ca = ca;
        this.tx = tx;
        this.desired = desired;
        this.writer = writer;
        this.clock = clock;
        this.maxBatchSamples = maxBatchSamples;
        this.keys = new ReportedKeys(jdbc);
        this.interfaceAddress = NodeEngineSettings.interfaceAddress(wireguardPool);
        this.trafficInterval = trafficInterval;
        this.received = samples(meters, "received");
        this.inserted = samples(meters, "inserted");
        this.duplicate = samples(meters, "duplicate");
        this.rejected = samples(meters, "rejected");
        meters.gauge("gatehouse_collector_sessions_open", open, Map::size);
        meters.gauge("gatehouse_collector_diffs_pending", pendingDiffs);
        this.enforcement = new EnforcementLatency(jdbc, meters);
    }

    private static Counter samples(MeterRegistry meters, String outcome) {
        return Counter.builder("gatehouse_collector_samples").tag("outcome", outcome)
                .description("traffic samples by what became of them").register(meters);
    }

    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<ControlMessage> responses) {
        UUID node = NodeIdentity.NODE.get();
        Session session = new Session(node, NodeIdentity.CERTIFICATE_CA.get(),
                (ServerCallStreamObserver<ControlMessage>) responses);
        certificateExpiry.put(node, NodeIdentity.CERTIFICATE_EXPIRY.get());
        if (expiryGauges.add(node)) {
            io.micrometer.core.instrument.Gauge.builder("gatehouse_collector_certificate_expiry_seconds",
                            certificateExpiry, m -> m.containsKey(node)
                                    ? Duration.between(clock.instant(), m.get(node)).toSeconds() : Double.NaN)
                    .tag("node", node.toString())
                    .description("seconds until the certificate of the node's open session expires")
                    .register(meters);
        }
        return session;
    }

    /** A control-plane event about a node: push its new desired state, or end its session. */
    public void onEvent(NodeEvent event) {
        Session session = open.get(event.nodeId());
        if (session == null) {
            return;
        }
        if (event instanceof NodeEvent.Closed closed) {
            session.goodbye(GoodbyeCode.GOODBYE_CODE_NODE_DISABLED,
                    "the node was " + closed.reason().name().toLowerCase(java.util.Locale.ROOT), 0);
        } else {
            session.pushState();
        }
    }

    /**
     * The periodic check behind the notifications: every open session's node is marked seen, and
     * gets the diff to its desired revision if a notification was lost.
     */
    public void checkRevisions() {
        endIdle(idleTimeout);
        int behind = 0;
        for (Session session : List.copyOf(open.values())) {
            try (MDC.MDCCloseable logged = MDC.putCloseable(NODE_ID, session.node.toString())) {
                session.seen();
                long desiredRevision = desired.revision(session.node).map(DesiredState.Revision::desired).orElse(0L);
                if (session.sent < desiredRevision) {
                    behind++;
                }
                session.pushState();
            } catch (DataAccessException e) {
                log.warn("node {}: the revision check failed; the next one retries", session.node, e);
            }
        }
        pendingDiffs.set(behind);
    }

    /** Another collector opened a session of {@code node}: ours, if any, gives way. */
    public void openedElsewhere(String otherInstance, UUID node) {
        Session session = open.get(node);
        if (session != null && !instance.equals(otherInstance)) {
            session.goodbye(GoodbyeCode.GOODBYE_CODE_SUPERSEDED, "a newer session of this node took over", 0);
        }
    }

    /** Ends the sessions that sent nothing for longer than {@code idle}: an agent stalled halfway. */
    public void endIdle(Duration idle) {
        Instant limit = clock.instant().minus(idle);
        for (Session session : List.copyOf(open.values())) {
            if (session.lastMessage.isBefore(limit)) {
                log.info("node {}: no message since {}; the session ends", session.node, session.lastMessage);
                session.fail(Status.DEADLINE_EXCEEDED.withDescription("no message for " + idle.toSeconds()
                        + " s; reconnect"));
            }
        }
    }

    /**
     * Ends the sessions whose certificate one of these CAs issued (they were retired): the agent
     * reconnects and is refused at the handshake.
     */
    public void endCertificatesOf(java.util.Set<UUID> cas) {
        for (Session session : List.copyOf(open.values())) {
            if (session.issuer != null && cas.contains(session.issuer)) {
                log.info("node {}: its certificate's CA {} was retired; the session ends", session.node,
                        session.issuer);
                session.fail(Status.UNAUTHENTICATED.withDescription("the CA that issued the certificate was retired"));
            }
        }
    }

    /** Ends every session, telling agents to reconnect (to another instance). */
    public void shutdown() {
        for (Session session : List.copyOf(open.values())) {
            session.goodbye(GoodbyeCode.GOODBYE_CODE_SHUTTING_DOWN, "the collector is stopping", 1);
        }
    }

    public int openSessions() {
        return open.size();
    }

    private final class Session implements StreamObserver<AgentMessage> {

        private final UUID node;
        /** The CA that issued the certificate the session was opened with. */
        private final UUID issuer;
        private final ServerCallStreamObserver<ControlMessage> out;
        private boolean greeted;
        private boolean ended;
        /** The revision the agent has been sent (snapshot or diff), for the next diff. */
        private volatile long sent;
        /** The last revision the agent reported applied, in Hello or since. */
        private long acknowledged;
        private volatile Instant lastMessage = clock.instant();

        Session(UUID node, UUID issuer, ServerCallStreamObserver<ControlMessage> out) {
            this.node = node;
            this.issuer = issuer;
            this.out = out;
        }

        @Override
        public void onNext(AgentMessage message) {
            lastMessage = clock.instant();
            Span span = tracer.nextSpan().name("agent " + message.getBodyCase().name().toLowerCase(java.util.Locale.ROOT))
                    .tag(NODE_ID, node.toString()).start();
            try (MDC.MDCCloseable logged = MDC.putCloseable(NODE_ID, node.toString());
                 Tracer.SpanInScope traced = tracer.withSpan(span)) {
                switch (message.getBodyCase()) {
                    case HELLO -> hello(message.getHello());
                    case TRAFFIC -> traffic(message.getTraffic());
                    case APPLIED -> applied(message.getApplied());
                    case HEALTH -> seen();
                    case RESYNC -> snapshot();
                    case RENEW -> renew(message.getRenew().getCsr());
                    default -> fail(Status.INVALID_ARGUMENT.withDescription("an empty or unknown message"));
                }
            } catch (DataAccessException | TransactionException e) {
                // Nothing of the message is acknowledged: the agent keeps it buffered and resends.
                log.warn("node {}: the database failed; the session ends and the agent resends", node, e);
                span.error(e);
                fail(Status.UNAVAILABLE.withDescription("the database is unavailable; reconnect and resend"));
            } finally {
                span.end();
            }
        }

        private void hello(Hello hello) {
            if (hello.getCapabilityVersion() != CapabilityVersion.CAPABILITY_VERSION_1_VALUE) {
                fail(Status.FAILED_PRECONDITION.withDescription("capability version " + hello.getCapabilityVersion()
                        + " is not served; this collector speaks 1"));
                return;
            }
            Session older = open.put(node, this);
            if (older != null && older != this) {
                older.goodbye(GoodbyeCode.GOODBYE_CODE_SUPERSEDED, "a newer session of this node took over", 0);
            }
            announce.accept(instance, node);
            Map<String, Map<String, String>> cores = new java.util.TreeMap<>();
            hello.getCoresList().stream()
                    .filter(c -> c.getEngine() == dev.gatehouse.proto.agent.v1.Engine.ENGINE_XRAY
                            || c.getEngine() == dev.gatehouse.proto.agent.v1.Engine.ENGINE_WIREGUARD)
                    .forEach(c -> cores.put(Engine.fromProto(c.getEngine()).db(),
                            Map.of("flavour", c.getFlavour(), "version", c.getVersion())));
            jdbc.sql("""
                            UPDATE nodes SET status = CASE WHEN status = ? THEN status ELSE ? END,
                                   last_seen_at = ?, agent_version = ?, core_versions = ?::jsonb
                            WHERE id = ?""")
                    .params(NodeStatus.DISABLED.db(), NodeStatus.ONLINE.db(), java.sql.Timestamp.from(clock.instant()),
                            hello.getAgentVersion(), JSON.writeValueAsString(cores), node)
                    .update();
            if (hello.getKeysCount() > 0) {
                tx.executeWithoutResult(t -> keys.store(node, hello.getKeysList()));
            }
            greeted = true;
            log.info("node {}: session opened, agent {}, applied revision {}", node, hello.getAgentVersion(),
                    hello.getLastAppliedRevision());
            send(ControlMessage.newBuilder().setWelcome(Welcome.newBuilder()
                    .setCapabilityVersion(CapabilityVersion.CAPABILITY_VERSION_1_VALUE)
                    .setNodeId(node.toString())
                    .setServerTime(timestamp(clock.instant()))
                    .setTrafficIntervalSeconds((int) trafficInterval.toSeconds())
                    .setHealthIntervalSeconds(30)).build());
            sent = hello.getLastAppliedRevision();
            acknowledged = hello.getLastAppliedRevision();
            if (sent <= 0) {
                snapshot();
            } else {
                pushState();
            }
        }

        /** The diff since what the agent has, or a snapshot when the log cannot answer. */
        synchronized void pushState() {
            if (!greeted || ended) {
                return;
            }
            var diff = desired.diff(node, sent);
            if (diff.isEmpty()) {
                snapshot();
                return;
            }
            if (diff.get().toRevision() == sent && diff.get().empty()) {
                return;
            }
            DesiredStateDiff.Builder message = DesiredStateDiff.newBuilder()
                    .setFromRevision(diff.get().fromRevision()).setToRevision(diff.get().toRevision())
                    .setConfig(config(diff.get().config()));
            diff.get().upserts().forEach(c -> message.addUpserts(credential(c)));
            diff.get().removals().forEach(r -> message.addRemovals(CredentialRef.newBuilder()
                    .setCredentialId(r.credentialId().toString()).setEngine(r.engine().proto())));
            sent = diff.get().toRevision();
            send(ControlMessage.newBuilder().setDiff(message).build());
        }

        /** The whole desired state, in parts of at most {@code snapshotPart} credentials. */
        private synchronized void snapshot() {
            desired.snapshot(node).ifPresent(snapshot -> {
                List<ServedCredential> all = snapshot.credentials();
                int parts = Math.max(1, (all.size() + snapshotPart - 1) / snapshotPart);
                for (int part = 0; part < parts; part++) {
                    DesiredStateSnapshot.Builder message = DesiredStateSnapshot.newBuilder()
                            .setRevision(snapshot.revision()).setPart(part + 1).setParts(parts);
                    if (part == 0) {
                        message.setConfig(config(snapshot.config()));
                    }
                    all.subList(part * snapshotPart, Math.min(all.size(), (part + 1) * snapshotPart))
                            .forEach(c -> message.addCredentials(credential(c)));
                    send(ControlMessage.newBuilder().setSnapshot(message).build());
                }
                sent = snapshot.revision();
            });
        }

        private void traffic(TrafficBatch batch) {
            if (!greeted) {
                fail(Status.FAILED_PRECONDITION.withDescription("send Hello first"));
                return;
            }
            if (batch.getSamplesCount() > maxBatchSamples) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("a batch may carry " + maxBatchSamples
                        + " samples; send smaller ones"));
                return;
            }
            List<TrafficIngest.Sample> samples = new ArrayList<>(batch.getSamplesCount());
            for (int i = 0; i < batch.getSamplesCount(); i++) {
                TrafficSample s = batch.getSamples(i);
                samples.add(new TrafficIngest.Sample(i, s.getCredentialId(),
                        s.getEngine() == dev.gatehouse.proto.agent.v1.Engine.ENGINE_UNSPECIFIED
                                || s.getEngine() == dev.gatehouse.proto.agent.v1.Engine.UNRECOGNIZED ? null
                                : Engine.fromProto(s.getEngine()),
                        s.hasTsStart() ? instant(s.getTsStart()) : null, s.hasTsEnd() ? instant(s.getTsEnd()) : null,
                        s.getCounterSeq(), s.getBytesUp(), s.getBytesDown(), s.getCounterUp(), s.getCounterDown()));
            }
            long started = System.nanoTime();
            TrafficIngest.Result result;
            try {
                result = writer.write(node, samples);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Status.UNAVAILABLE.withDescription("the collector is stopping; reconnect and resend"));
                return;
            }
            batchTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            samples.stream().map(TrafficIngest.Sample::end).filter(java.util.Objects::nonNull)
                    .max(Instant::compareTo).ifPresent(newest -> ingestLag.record(
                            Duration.between(newest, clock.instant()).abs()));
            received.increment(samples.size());
            inserted.increment(result.accepted());
            duplicate.increment(result.duplicates());
            rejected.increment(result.rejected().size());
            TrafficAck.Builder ack = TrafficAck.newBuilder().setBatchId(batch.getBatchId())
                    .setAccepted(result.accepted()).setDuplicates(result.duplicates());
            result.rejected().forEach(r -> ack.addRejected(SampleRejection.newBuilder().setIndex(r.index())
                    .setReason(r.reason())));
            if (!result.rejected().isEmpty()) {
                log.info("node {}: batch {} refused {} samples, first: {}", node, batch.getBatchId(),
                        result.rejected().size(), result.rejected().get(0).reason());
            }
            send(ControlMessage.newBuilder().setTrafficAck(ack).build());
        }

        /** A new certificate for the node, over the session it already proved itself on. */
        private void renew(String csrPem) {
            NodeCa.CertificateRequest request;
            try {
                request = NodeCa.parseRequest(csrPem);
            } catch (dev.gatehouse.domain.support.DomainException e) {
                fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                return;
            }
            NodeCa.Issued issued = tx.execute(t -> ca.issue(node, request));
            send(ControlMessage.newBuilder().setRenewed(RenewedCertificate.newBuilder()
                    .setCertificate(issued.certificatePem()).setCaBundle(issued.caBundlePem())
                    .setExpiresAt(timestamp(issued.notAfter()))).build());
            log.info("node {}: certificate renewed, serial {}, until {}", node, issued.serial(), issued.notAfter());
        }

        /** The revision the agent has applied, and what it could not apply there (shown by /nodes/{id}/health). */
        private void applied(dev.gatehouse.proto.agent.v1.AppliedRevision applied) {
            List<Map<String, String>> failures = applied.getFailuresList().stream().limit(1000)
                    .map(f -> Map.of("credential_id", f.getCredentialId(), "reason",
                            f.getReason().length() > 500 ? f.getReason().substring(0, 500) : f.getReason()))
                    .toList();
            int stored = jdbc.sql("""
                            UPDATE node_revisions SET applied_revision = ?, apply_failures = ?::jsonb, applied_at = ?
                            WHERE node_id = ? AND ? <= desired_revision""")
                    .params(applied.getRevision(), JSON.writeValueAsString(failures),
                            java.sql.Timestamp.from(clock.instant()), node, applied.getRevision())
                    .update();
            if (stored > 0 && applied.getRevision() > acknowledged) {
                enforcement.acknowledged(node, acknowledged, applied.getRevision());
                acknowledged = applied.getRevision();
            }
            if (!failures.isEmpty()) {
                log.info("node {}: {} credentials failed to apply at revision {}, first: {}", node, failures.size(),
                        applied.getRevision(), failures.get(0));
            }
            seen();
        }

        void seen() {
            jdbc.sql("UPDATE nodes SET last_seen_at = ? WHERE id = ?")
                    .params(java.sql.Timestamp.from(clock.instant()), node).update();
        }

        synchronized void goodbye(GoodbyeCode code, String reason, int retryAfterSeconds) {
            if (ended) {
                return;
            }
            send(ControlMessage.newBuilder().setGoodbye(Goodbye.newBuilder().setCode(code).setReason(reason)
                    .setRetryAfterSeconds(retryAfterSeconds)).build());
            ended = true;
            open.remove(node, this);
            out.onCompleted();
            if (code != GoodbyeCode.GOODBYE_CODE_SUPERSEDED) {
                offline();
            }
        }

        synchronized void fail(Status status) {
            if (ended) {
                return;
            }
            ended = true;
            boolean current = open.remove(node, this);
            out.onError(status.asRuntimeException());
            // A session a newer one already replaced says nothing about the node: it is online there.
            if (current) {
                offline();
            }
        }

        private synchronized void send(ControlMessage message) {
            if (!ended) {
                out.onNext(message);
            }
        }

        @Override
        public void onError(Throwable t) {
            try (MDC.MDCCloseable logged = MDC.putCloseable(NODE_ID, node.toString())) {
                end();
            }
        }

        @Override
        public void onCompleted() {
            try (MDC.MDCCloseable logged = MDC.putCloseable(NODE_ID, node.toString())) {
                end();
            }
            synchronized (this) {
                if (!ended) {
                    ended = true;
                    out.onCompleted();
                }
            }
        }

        private void end() {
            if (open.remove(node, this)) {
                log.info("node {}: session ended by the agent", node);
                certificateExpiry.remove(node);
                offline();
            }
        }

        private void offline() {
            try {
                jdbc.sql("UPDATE nodes SET status = ? WHERE id = ? AND status = ?")
                        .params(NodeStatus.OFFLINE.db(), node, NodeStatus.ONLINE.db()).update();
            } catch (DataAccessException e) {
                log.warn("node {}: could not mark it offline", node, e);
            }
        }
    }

    /**
     * The node's engine settings in the agent's terms; absent parts are empty. A WireGuard interface
     * with no address of its own gets the first host of the install's address pool.
     */
    NodeConfig config(NodeEngineSettings settings) {
        NodeConfig.Builder config = NodeConfig.newBuilder();
        if (settings.xray() != null) {
            for (NodeEngineSettings.Inbound in : settings.xray().inbounds()) {
                XrayInbound.Builder b = XrayInbound.newBuilder().setTag(nonNull(in.tag()))
                        .setProtocol(in.protocol() == null ? "" : in.protocol().db()).setPort(in.port())
                        .setNetwork(in.network().db()).setSecurity(in.security().db())
                        .setFlow(in.flow() == null ? "" : in.flow().db());
                if (in.ws() != null) {
                    b.setWsPath(nonNull(in.ws().path())).setWsHost(nonNull(in.ws().host()));
                }
                if (in.grpc() != null) {
                    b.setGrpcServiceName(nonNull(in.grpc().serviceName()));
                }
                if (in.tls() != null) {
                    b.setServerName(nonNull(in.tls().serverName()))
                            .setFingerprint(in.tls().fingerprint() == null ? "" : in.tls().fingerprint().db());
                    if (in.tls().alpn() != null) {
                        b.addAllAlpn(in.tls().alpn());
                    }
                }
                if (in.reality() != null) {
                    b.setServerName(nonNull(in.reality().serverName()))
                            .setFingerprint(in.reality().fingerprint() == null ? "" : in.reality().fingerprint().db())
                            .setRealityPublicKey(nonNull(in.reality().publicKey()))
                            .setRealityShortId(nonNull(in.reality().shortId()))
                            .setRealitySpiderX(nonNull(in.reality().spiderX()));
                }
                if (in.shadowsocks() != null && in.shadowsocks().method() != null) {
                    b.setShadowsocksMethod(in.shadowsocks().method().db());
                }
                config.addXrayInbounds(b);
            }
        }
        NodeEngineSettings.WireGuard wg = settings.wireguard();
        if (wg != null) {
            WireGuardInterface.Builder b = WireGuardInterface.newBuilder().setInterfaceName(nonNull(wg.interfaceName()))
                    .setListenPort(wg.listenPort())
                    .setAddress(wg.address() == null || wg.address().isBlank() ? interfaceAddress : wg.address())
                    .setPublicKey(nonNull(wg.publicKey()))
                    .setPersistentKeepalive(wg.persistentKeepalive() == null ? 0 : wg.persistentKeepalive());
            if (wg.dns() != null) {
                b.addAllDns(wg.dns());
            }
            config.setWireguard(b);
        }
        return config.build();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static Credential credential(ServedCredential c) {
        Credential.Builder b = Credential.newBuilder().setCredentialId(c.credentialId().toString())
                .setUserId(c.userId().toString()).setSubscriptionId(c.subscriptionId().toString())
                .setEngine(c.engine().proto());
        if (c.engine() == Engine.XRAY) {
            b.setXray(XrayCredential.newBuilder().setUuid(c.xrayUuid().toString())
                    .setFlow(c.xrayFlow() == null ? "" : c.xrayFlow()).setEmail(c.credentialId().toString())
                    .setPassword(c.xrayPassword() == null ? c.xrayUuid().toString() : c.xrayPassword()));
        } else {
            b.setWireguard(WireGuardCredential.newBuilder().setPublicKey(c.wgPublicKey())
                    .setPresharedKey(c.wgPresharedKey() == null ? "" : c.wgPresharedKey())
                    .addAllowedIps(c.wgAddress() + (c.wgAddress().contains(":") ? "/128" : "/32")));
        }
        return b.build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

}

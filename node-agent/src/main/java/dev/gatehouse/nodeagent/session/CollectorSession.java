package dev.gatehouse.nodeagent.session;

import com.google.protobuf.Timestamp;
import dev.gatehouse.nodeagent.enroll.Enroller;
import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.reconcile.Reconciler;
import dev.gatehouse.nodeagent.state.NodeIdentity;
import dev.gatehouse.nodeagent.traffic.SampleLog;
import dev.gatehouse.nodeagent.traffic.Sampler;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.AppliedRevision;
import dev.gatehouse.proto.agent.v1.CapabilityVersion;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.CoreHealth;
import dev.gatehouse.proto.agent.v1.CoreInfo;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.DesiredStateSnapshot;
import dev.gatehouse.proto.agent.v1.Health;
import dev.gatehouse.proto.agent.v1.Hello;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.NodeKey;
import dev.gatehouse.proto.agent.v1.NodeSessionGrpc;
import dev.gatehouse.proto.agent.v1.RenewRequest;
import dev.gatehouse.proto.agent.v1.ResyncRequest;
import dev.gatehouse.proto.agent.v1.TrafficAck;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.session.SessionChannels;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one session this node holds with the collector: dial out over mTLS, say Hello with the
 * revision last applied, apply the snapshot or diffs the collector pushes (on the engine thread,
 * one change at a time) and report each applied revision, send buffered traffic batches and drop
 * them once acknowledged, send health, and renew the certificate before it expires. Any end of the
 * stream is followed by a jittered exponential wait (1 s doubling to 60 s) and a new session; a
 * session that lasted a minute starts the wait over.
 */
public final class CollectorSession {

    private static final Logger log = LoggerFactory.getLogger(CollectorSession.class);
    private static final int IN_FLIGHT = 4;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** What {@code status} shows of the session. */
    public record View(String state, String collector, long appliedRevision, Instant connectedSince,
                       Instant certificateExpires, String lastError) {
    }

    private final Path state;
    private final Reconciler reconciler;
    private final Sampler sampler;
    private final SampleLog buffer;
    private final ExecutorService engineThread;
    private final Clock clock;
    private final String agentVersion;
    private final Counter rejected;
    private final Counter reconnects;
    private final Timer diffTime;
    private final Timer snapshotTime;
    private volatile boolean running = true;
    private volatile Thread loop;
    private volatile Stream current;
    private volatile String lastError = "";
    private volatile String collector = "";
    private volatile Instant connectedSince;
    private volatile Instant certificateExpires;
    /** Seconds the collector asked to wait before the next session (Goodbye), or 0. */
    private volatile long retryAfter;

    public CollectorSession(Path state, Reconciler reconciler, Sampler sampler, SampleLog buffer,
                            ExecutorService engineThread, Clock clock, String agentVersion, MeterRegistry meters) {
        this.state = state;
        this.reconciler = reconciler;
        this.sampler = sampler;
        this.buffer = buffer;
        this.engineThread = engineThread;
        this.clock = clock;
        this.agentVersion = agentVersion;
        this.rejected = Counter.builder("gatehouse_agent_samples_rejected")
                .description("samples the collector refused for good (reason logged)").register(meters);
        this.reconnects = Counter.builder("gatehouse_agent_session_reconnects")
                .description("sessions that ended and were dialled again").register(meters);
        this.diffTime = Timer.builder("gatehouse_agent_apply_seconds").tag("kind", "diff")
                .description("from a desired-state change's arrival to its application by the engines")
                .register(meters);
        this.snapshotTime = Timer.builder("gatehouse_agent_apply_seconds").tag("kind", "snapshot")
                .description("from a desired-state change's arrival to its application by the engines")
                .register(meters);
        Gauge.builder("gatehouse_agent_session_up", this, s -> s.current != null && s.current.welcomed ? 1 : 0)
                .description("1 while the session with the collector is open").register(meters);
        Gauge.builder("gatehouse_agent_certificate_expiry_seconds", this,
                        s -> s.certificateExpires == null ? 0 : s.certificateExpires.getEpochSecond())
                .description("when this node's client certificate expires (epoch seconds)").register(meters);
    }

    public void start() {
        loop = new Thread(this::dialLoop, "collector-session");
        loop.setDaemon(true);
        loop.start();
    }

    public void stop() {
        running = false;
        Stream stream = current;
        if (stream != null) {
            stream.close("stopping");
        }
        if (loop != null) {
            loop.interrupt();
        }
    }

    public View view() {
        Stream stream = current;
        String phase = stream == null ? "disconnected" : stream.welcomed ? "connected" : "connecting";
        return new View(phase, collector, reconciler.revision(), connectedSince, certificateExpires, lastError);
    }

    /** New batches are buffered: send what the window allows. */
    public void flush() {
        Stream stream = current;
        if (stream != null) {
            stream.sendBatches();
        }
    }

    private void dialLoop() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            Instant started = clock.instant();
            try {
                NodeIdentity identity = NodeIdentity.load(state);
                certificateExpires = identity.expiresAt();
                collector = identity.collectorAddress();
                Stream stream = new Stream(identity);
                current = stream;
                stream.ended.await();
            } catch (IOException | RuntimeException e) {
                // Any failure to open (an unreadable identity, an address that does not parse, TLS
                // that cannot be set up) is retried: the dialling thread never ends but on stop.
                lastError = String.valueOf(e.getMessage());
                log.warn("cannot open a session: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                current = null;
                connectedSince = null;
            }
            if (!running) {
                return;
            }
            if (Duration.between(started, clock.instant()).compareTo(Duration.ofMinutes(1)) > 0) {
                backoff = Duration.ofSeconds(1);
            }
            Duration wait = backoff.plusMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1));
            if (retryAfter > 0) {
                wait = Duration.ofSeconds(retryAfter);
                retryAfter = 0;
            }
            reconnects.increment();
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }


    /** One stream: its channel, its outbound side, its window of batches in flight. */
    private final class Stream implements StreamObserver<ControlMessage> {

        final CountDownLatch ended = new CountDownLatch(1);
        final ManagedChannel channel;
        final StreamObserver<AgentMessage> requests;
        final List<DesiredStateSnapshot> parts = new ArrayList<>();
        final java.util.concurrent.ScheduledExecutorService timers;
        volatile boolean welcomed;
        long lastSent;
        int inFlight;
        KeyPair renewing;

        Stream(NodeIdentity identity) {
            int colon = identity.collectorAddress().lastIndexOf(':');
            String host = identity.collectorAddress().substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(identity.collectorAddress().substring(colon + 1));
            channel = SessionChannels.mtls(host, port, identity.key(), identity.certificatePem(),
                    identity.caBundlePem());
            timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "session-timers");
                t.setDaemon(true);
                return t;
            });
            requests = NodeSessionGrpc.newStub(channel).connect(this);
            Hello.Builder hello = Hello.newBuilder().setCapabilityVersion(CapabilityVersion.CAPABILITY_VERSION_1_VALUE)
                    .setAgentVersion(agentVersion).setLastAppliedRevision(reconciler.revision())
                    .setHostname(hostname());
            for (EngineDriver engine : reconciler.engines()) {
                hello.addEngines(engine.engine()).addCores(CoreInfo.newBuilder().setEngine(engine.engine())
                        .setFlavour(engine.info().flavour()).setVersion(engine.info().version()));
                engine.publicKeys().forEach((tag, key) -> hello.addKeys(NodeKey.newBuilder()
                        .setEngine(engine.engine()).setInboundTag(tag).setPublicKey(key)));
            }
            send(AgentMessage.newBuilder().setHello(hello).build());
        }

        synchronized void send(AgentMessage message) {
            requests.onNext(message);
        }

        @Override
        public void onNext(ControlMessage message) {
            long received = System.nanoTime();
            switch (message.getBodyCase()) {
                case WELCOME -> welcome(message);
                case SNAPSHOT -> snapshot(message.getSnapshot());
                case DIFF -> onEngineThread("the diff to revision " + message.getDiff().getToRevision(),
                        () -> reconciler.diff(message.getDiff()).ifPresentOrElse(
                                a -> applied(a, diffTime, received),
                                () -> sendQuietly(AgentMessage.newBuilder().setResync(ResyncRequest.newBuilder()
                                        .setAppliedRevision(reconciler.revision())
                                        .setReason("a diff did not follow the applied revision")).build())));
                case TRAFFIC_ACK -> acknowledged(message.getTrafficAck());
                case GOODBYE -> {
                    log.info("the collector ended the session: {} ({})", message.getGoodbye().getReason(),
                            message.getGoodbye().getCode());
                    retryAfter = message.getGoodbye().getRetryAfterSeconds();
                    close(message.getGoodbye().getReason());
                }
                case RENEWED -> renewed(message.getRenewed());
                default -> log.info("ignored a message this agent does not understand: {}", message.getBodyCase());
            }
        }

        private void welcome(ControlMessage message) {
            welcomed = true;
            connectedSince = clock.instant();
            lastError = "";
            log.info("session open with {} as node {}", collector, message.getWelcome().getNodeId());
            long health = Math.max(5, message.getWelcome().getHealthIntervalSeconds());
            timers.scheduleWithFixedDelay(this::health, health, health, TimeUnit.SECONDS);
            // Cheap (reads the certificate file): often enough for any validity the panel may choose.
            timers.scheduleWithFixedDelay(this::renewIfDue, 0, 30, TimeUnit.SECONDS);
            sendBatches();
        }

        private void snapshot(DesiredStateSnapshot part) {
            if (part.getPart() <= 1) {
                parts.clear();
            }
            parts.add(part);
            if (part.getParts() > 1 && part.getPart() < part.getParts()) {
                return;
            }
            long revision = part.getRevision();
            NodeConfig config = parts.get(0).getConfig();
            List<Credential> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.getCredentialsList()));
            parts.clear();
            long received = System.nanoTime();
            onEngineThread("the snapshot of revision " + revision,
                    () -> applied(reconciler.snapshot(revision, config, all), snapshotTime, received));
        }

        /**
         * Runs a change on the engine thread. A failure there is a defect, not an engine's refusal (those
         * are reported per credential): it is logged with its trace, and the revision stays unapplied.
         */
        private void onEngineThread(String what, Runnable change) {
            engineThread.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    log.error("applying {} failed", what, e);
                }
            });
        }

        private void applied(AppliedRevision revision, Timer timer, long received) {
            timer.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
            if (revision.getFailuresList().isEmpty()) {
                log.info("revision {} applied ({} users)", revision.getRevision(), reconciler.desiredCount());
            } else {
                log.warn("revision {} applied with {} failures", revision.getRevision(), revision.getFailuresCount());
            }
            sendQuietly(AgentMessage.newBuilder().setApplied(revision).build());
        }

        synchronized void sendBatches() {
            if (!welcomed) {
                return;
            }
            try {
                for (long id : buffer.pendingIds(lastSent)) {
                    if (inFlight >= IN_FLIGHT || id > sampler.sendableThrough()) {
                        return;
                    }
                    TrafficBatch batch = buffer.read(id);
                    if (batch == null) {
                        continue;
                    }
                    send(AgentMessage.newBuilder().setTraffic(batch).build());
                    lastSent = id;
                    inFlight++;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot send buffered traffic: {}", e.getMessage());
            }
        }

        private void acknowledged(TrafficAck ack) {
            ack.getRejectedList().forEach(r -> log.warn("batch {}: sample {} refused: {}", ack.getBatchId(),
                    r.getIndex(), r.getReason()));
            rejected.increment(ack.getRejectedCount());
            try {
                buffer.ack(ack.getBatchId());
            } catch (IOException e) {
                log.warn("cannot drop acknowledged batch {}: {}", ack.getBatchId(), e.getMessage());
            }
            synchronized (this) {
                inFlight = Math.max(0, inFlight - 1);
            }
            sendBatches();
        }

        private void health() {
            Health.Builder health = Health.newBuilder().setObservedAt(timestamp(clock.instant()))
                    .setBufferedSamples(buffer.pendingSamples()).setAppliedRevision(reconciler.revision());
            Instant oldest = buffer.oldestPending();
            if (oldest != null) {
                health.setOldestBuffered(timestamp(oldest));
            }
            for (EngineDriver engine : reconciler.engines()) {
                health.addCores(CoreHealth.newBuilder().setEngine(engine.engine()).setUp(true)
                        .setDetail(engine.info().flavour() + " " + engine.info().version()));
            }
            sendQuietly(AgentMessage.newBuilder().setHealth(health).build());
        }

        /** A third of the certificate's life left: ask for a new one for a new key. */
        private synchronized void renewIfDue() {
            try {
                NodeIdentity identity = NodeIdentity.load(state);
                var certificate = identity.certificate();
                Duration life = Duration.between(certificate.getNotBefore().toInstant(), identity.expiresAt());
                if (renewing == null && clock.instant().isAfter(identity.expiresAt().minus(life.dividedBy(3)))) {
                    renewing = Enroller.keyPair();
                    send(AgentMessage.newBuilder().setRenew(RenewRequest.newBuilder()
                            .setCsr(Enroller.request(renewing))).build());
                    log.info("asked to renew the node certificate (expires {})", identity.expiresAt());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot renew the node certificate: {}", e.getMessage());
            }
        }

        private synchronized void renewed(dev.gatehouse.proto.agent.v1.RenewedCertificate renewed) {
            if (renewing == null) {
                return;
            }
            try {
                if (!NodeIdentity.certifies(renewed.getCertificate(), renewing.getPublic())) {
                    log.warn("the renewed certificate is not for the key this node sent; keeping the current one");
                    renewing = null;
                    return;
                }
                NodeIdentity.store(state, renewing.getPrivate(), renewed.getCertificate(), renewed.getCaBundle(),
                        collector);
                log.info("stored the renewed node certificate; reconnecting with it");
                renewing = null;
                retryAfter = 0;
                close("certificate renewed");
            } catch (IOException e) {
                log.warn("cannot store the renewed certificate: {}", e.getMessage());
            }
        }

        private void sendQuietly(AgentMessage message) {
            try {
                send(message);
            } catch (RuntimeException e) {
                log.debug("the session is gone: {}", e.getMessage());
            }
        }

        void close(String why) {
            try {
                synchronized (this) {
                    requests.onCompleted();
                }
            } catch (RuntimeException ignored) {
                // already ended
            }
            end(why);
        }

        private void end(String why) {
            welcomed = false;
            timers.shutdownNow();
            channel.shutdownNow();
            lastError = why;
            ended.countDown();
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            log.warn("session ended: {} {}", status.getCode(), status.getDescription() == null ? ""
                    : status.getDescription());
            end(status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
        }

        @Override
        public void onCompleted() {
            end("the collector closed the session");
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}

package dev.gatehouse.nodeagent.reconcile;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.nodeagent.traffic.Sampler;
import dev.gatehouse.proto.agent.v1.AppliedRevision;
import dev.gatehouse.proto.agent.v1.ApplyFailure;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.DesiredStateDiff;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the engines to the desired state, level-triggered: it keeps the whole desired set and,
 * on every snapshot, diff or periodic check, applies only the difference between that set and what
 * the engines serve. One credential that fails never blocks the rest: its failure is reported with
 * the applied revision, and retried on the next check when the engine was only unreachable.
 *
 * <p>Every call runs on the caller's one thread (the agent's engine thread), so engines see one
 * change at a time; removals are preceded by one more counter reading, so the last bytes of a
 * removed person are counted.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final Map<Engine, EngineDriver> drivers;
    private final Sampler sampler;
    private final Map<String, Credential> desired = new LinkedHashMap<>();
    /** Credentials this agent added and the engine accepted, per engine (V2Fly cannot list its users). */
    private final Map<Engine, Set<String>> applied = new HashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    /** Credentials the engine refused for good (malformed, unfit for their inbound): not retried until changed. */
    private final Set<String> refused = new HashSet<>();
    private final Map<Engine, Long> generations = new HashMap<>();
    private final Counter drift;
    private NodeConfig config = NodeConfig.getDefaultInstance();
    private long revision;

    public Reconciler(List<EngineDriver> engines, Sampler sampler, MeterRegistry meters) {
        this.drivers = new LinkedHashMap<>();
        engines.forEach(e -> drivers.put(e.engine(), e));
        this.sampler = sampler;
        this.drift = Counter.builder("gatehouse_agent_drift_repairs")
                .description("users the periodic check found served but unwanted, or wanted but missing, and repaired")
                .register(meters);
    }

    /** The revision last applied (0 before the first snapshot). */
    public synchronized long revision() {
        return revision;
    }

    public synchronized Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    public synchronized int desiredCount() {
        return desired.size();
    }

    public List<EngineDriver> engines() {
        return List.copyOf(drivers.values());
    }

    /** A whole desired state: everything not in it goes, everything in it is served. */
    public synchronized AppliedRevision snapshot(long revision, NodeConfig config, List<Credential> credentials) {
        desired.clear();
        credentials.forEach(c -> desired.put(c.getCredentialId(), c));
        failures.clear();
        refused.clear();
        noticeRestarts();
        // A changed configuration may restart a core or re-create an interface: their counts first.
        sampler.round(engines());
        configure(config);
        converge(true);
        this.revision = revision;
        return applied();
    }

    /**
     * A change since {@link #revision()}. Returns empty when the diff does not follow the revision
     * held (a gap): the caller asks for a snapshot.
     */
    public synchronized Optional<AppliedRevision> diff(DesiredStateDiff diff) {
        if (diff.getFromRevision() != revision) {
            log.info("a diff from revision {} does not follow revision {}: asking for the whole state",
                    diff.getFromRevision(), revision);
            return Optional.empty();
        }
        noticeRestarts();
        List<CredentialRef> removals = diff.getRemovalsList();
        boolean replaces = diff.getUpsertsList().stream().anyMatch(c -> desired.containsKey(c.getCredentialId())
                && !desired.get(c.getCredentialId()).equals(c));
        // Removals, replacements and a changed configuration end counters: read them once more first.
        if (!removals.isEmpty() || replaces || diff.hasConfig()) {
            sampler.round(engines());
        }
        if (diff.hasConfig()) {
            configure(diff.getConfig());
        }
        for (CredentialRef ref : removals) {
            desired.remove(ref.getCredentialId());
            forgive(ref.getCredentialId());
            remove(ref);
        }
        Map<String, Credential> upserts = new LinkedHashMap<>();
        for (Credential c : diff.getUpsertsList()) {
            Credential before = desired.put(c.getCredentialId(), c);
            forgive(c.getCredentialId());
            if (before != null && !before.equals(c) && appliedTo(c.getEngine()).contains(c.getCredentialId())) {
                remove(ref(before));
            }
            upserts.put(c.getCredentialId(), c);
        }
        addAll(upserts.values());
        revision = diff.getToRevision();
        return Optional.of(applied());
    }

    /**
     * The periodic check: a core that restarted gets every user back; then what the engines serve
     * is compared with the desired set and the drift repaired.
     */
    public synchronized void check() {
        noticeRestarts();
        converge(false);
    }

    /**
     * A polling round: counters are read into samples; an engine that restarted on its own since the
     * last look has its baselines reset first (its counters start over) and its users applied again.
     */
    public synchronized void poll() {
        boolean restarted = noticeRestarts();
        sampler.round(engines());
        if (restarted) {
            converge(false);
        }
    }

    /**
     * Resets, for every engine whose generation moved, the counter baselines and what this agent
     * believes it serves; before any counter is read again, so the new core's counts are neither
     * lost nor taken twice.
     */
    private boolean noticeRestarts() {
        boolean any = false;
        for (EngineDriver engine : drivers.values()) {
            long generation = engine.generation();
            Long seen = generations.put(engine.engine(), generation);
            if (seen != null && seen != generation) {
                log.info("the {} core restarted: applying its {} users again", engine.engine(),
                        count(engine.engine()));
                sampler.resetEngine(engine.engine());
                appliedTo(engine.engine()).clear();
                any = true;
            }
        }
        return any;
    }

    private void configure(NodeConfig next) {
        this.config = next;
        for (EngineDriver engine : drivers.values()) {
            if (!serves(next, engine.engine())) {
                continue;
            }
            try {
                Long seen = generations.get(engine.engine());
                boolean started = engine.configure(next);
                long generation = engine.generation();
                // A start here, or one the engine's own supervisor made since the last check.
                if (started || (seen != null && seen != generation)) {
                    log.info("the {} engine (re)started: applying its users", engine.engine());
                    sampler.resetEngine(engine.engine());
                    appliedTo(engine.engine()).clear();
                }
                generations.put(engine.engine(), generation);
            } catch (EngineException e) {
                log.warn("cannot configure the {} engine: {}", engine.engine(), e.getMessage());
            }
        }
    }

    private static boolean serves(NodeConfig config, Engine engine) {
        return switch (engine) {
            case ENGINE_XRAY -> config.getXrayInboundsCount() > 0;
            case ENGINE_WIREGUARD -> config.hasWireguard() && !config.getWireguard().getInterfaceName().isEmpty();
            default -> false;
        };
    }

    /** Adds what is missing and removes what is not wanted, per engine. */
    private void converge(boolean reportedAsSnapshot) {
        for (EngineDriver engine : drivers.values()) {
            Set<String> wanted = new HashSet<>();
            desired.values().stream().filter(c -> c.getEngine() == engine.engine())
                    .forEach(c -> wanted.add(c.getCredentialId()));
            Set<String> serving;
            Optional<Set<String>> listed = Optional.empty();
            try {
                listed = engine.served();
            } catch (EngineException e) {
                log.warn("cannot list what the {} engine serves: {}", engine.engine(), e.getMessage());
            }
            serving = listed.map(s -> (Set<String>) new HashSet<>(s)).orElseGet(() -> new HashSet<>(appliedTo(engine.engine())));
            if (listed.isPresent()) {
                appliedTo(engine.engine()).retainAll(serving);
            }
            List<String> unwanted = serving.stream().filter(id -> !wanted.contains(id)).toList();
            if (!unwanted.isEmpty()) {
                sampler.round(List.of(engine));
            }
            for (String id : unwanted) {
                if (!reportedAsSnapshot) {
                    drift.increment();
                }
                remove(CredentialRef.newBuilder().setCredentialId(id).setEngine(engine.engine()).build());
            }
            List<Credential> missing = new ArrayList<>();
            for (Credential c : desired.values()) {
                String id = c.getCredentialId();
                if (c.getEngine() != engine.engine()
                        || (serving.contains(id) && appliedTo(engine.engine()).contains(id))) {
                    continue;
                }
                if (refused.contains(id)) {
                    continue; // refused for good until the credential changes
                }
                if (!reportedAsSnapshot && !serving.contains(id)) {
                    drift.increment();
                }
                missing.add(c);
            }
            addAll(engine, missing);
        }
        for (Credential c : desired.values()) {
            if (!drivers.containsKey(c.getEngine())) {
                failures.put(c.getCredentialId(), "this node runs no " + c.getEngine() + " engine");
                refused.add(c.getCredentialId());
            }
        }
    }

    /** Adds credentials of any engines, each engine's in one bulk call. */
    private void addAll(Collection<Credential> credentials) {
        Map<Engine, List<Credential>> byEngine = new LinkedHashMap<>();
        for (Credential c : credentials) {
            if (drivers.containsKey(c.getEngine())) {
                byEngine.computeIfAbsent(c.getEngine(), e -> new ArrayList<>()).add(c);
            } else {
                noEngine(c);
            }
        }
        byEngine.forEach((engine, list) -> addAll(drivers.get(engine), list));
    }

    /**
     * Adds the credentials (unique ids) to the engine in one bulk call, with the bookkeeping of a
     * single add for each: applied, or failed (refused for good when the failure is permanent).
     */
    private void addAll(EngineDriver engine, List<Credential> credentials) {
        if (credentials.isEmpty()) {
            return;
        }
        Map<String, AddResult> results = engine.addAll(credentials);
        int failed = 0;
        String firstFailure = null;
        for (Credential c : credentials) {
            AddResult result = results.get(c.getCredentialId());
            if (result == null) {
                result = AddResult.failed("the " + engine.engine() + " engine gave no answer for it", false);
            }
            record(c, result);
            if (!result.ok()) {
                log.debug("credential {} not applied: {}", c.getCredentialId(), result.failure());
                failed++;
                firstFailure = firstFailure != null ? firstFailure : c.getCredentialId() + ": " + result.failure();
            }
        }
        if (failed > 0) {
            log.warn("{} of {} credentials not applied to the {} engine (first: {})", failed, credentials.size(),
                    engine.engine(), firstFailure);
        }
    }

    private void noEngine(Credential c) {
        failures.put(c.getCredentialId(), "this node runs no " + c.getEngine() + " engine");
        refused.add(c.getCredentialId());
        log.warn("credential {}: this node runs no {} engine", c.getCredentialId(), c.getEngine());
    }

    /** The bookkeeping of one add's answer. */
    private void record(Credential c, AddResult result) {
        if (result.ok()) {
            appliedTo(c.getEngine()).add(c.getCredentialId());
            forgive(c.getCredentialId());
            if (result.applied() == EngineDriver.Applied.APPLIED && c.getEngine() == Engine.ENGINE_WIREGUARD) {
                sampler.resetCredential(c.getEngine(), c.getCredentialId());
            }
        } else {
            failures.put(c.getCredentialId(), result.failure());
            if (result.permanent()) {
                refused.add(c.getCredentialId());
            }
        }
    }

    private void remove(CredentialRef ref) {
        EngineDriver engine = drivers.get(ref.getEngine());
        if (engine == null) {
            return;
        }
        try {
            engine.remove(ref);
            appliedTo(ref.getEngine()).remove(ref.getCredentialId());
        } catch (EngineException e) {
            log.warn("credential {} not removed: {}", ref.getCredentialId(), e.getMessage());
        }
    }

    private void forgive(String credentialId) {
        failures.remove(credentialId);
        refused.remove(credentialId);
    }

    private AppliedRevision applied() {
        List<ApplyFailure> list = new ArrayList<>();
        failures.forEach((id, reason) -> list.add(ApplyFailure.newBuilder().setCredentialId(id).setReason(reason)
                .build()));
        return AppliedRevision.newBuilder().setRevision(revision).addAllFailures(list).build();
    }

    private Set<String> appliedTo(Engine engine) {
        return applied.computeIfAbsent(engine, e -> new HashSet<>());
    }

    private long count(Engine engine) {
        return desired.values().stream().filter(c -> c.getEngine() == engine).count();
    }

    private static CredentialRef ref(Credential c) {
        return CredentialRef.newBuilder().setCredentialId(c.getCredentialId()).setEngine(c.getEngine())
                .setUserId(c.getUserId()).build();
    }

    /** The node configuration last given. */
    public synchronized NodeConfig config() {
        return config;
    }
}

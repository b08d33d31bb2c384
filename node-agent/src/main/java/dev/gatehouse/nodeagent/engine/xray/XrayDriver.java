package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives an Xray or V2Fly core through its gRPC API: users are added to and removed from running
 * inbounds, and per-user traffic counters are read without resetting them.
 *
 * <p>Managed mode (the default) runs the core itself: {@link #configure} renders the core's
 * configuration from the node configuration, and a supervisor starts the core again when it dies;
 * {@link #generation()} counts the starts. External mode talks to a core the operator runs and
 * configures; {@link #configure} then only learns the inbounds' protocols.
 *
 * <p>A user's email in the core is its credential id, so the per-user stats are named by it. The
 * account a user gets on an inbound follows the inbound's protocol; anything that does not fit is
 * refused before any call, because the core panics on an account of the wrong type.
 */
public final class XrayDriver implements EngineDriver {

    private static final Logger log = LoggerFactory.getLogger(XrayDriver.class);
    private static final String USER_STATS = "user>>>";
    /** AlterInbound calls outstanding at once in {@link #addAll}: enough to hide the round trip, few for the core. */
    static final int ADDS_IN_FLIGHT = 64;

    private final CoreFlavour flavour;
    private final CoreSettings settings;
    private final ManagedCore core;
    /** Managed Xray: the node's REALITY key; null otherwise. */
    private final RealityKey reality;
    /** External mode: the core's uptime at the last look (-1 before the first), when, and restarts seen. */
    private long lastUptime = -1;
    private long lastUptimeAt;
    private long externalRestarts;
    private final CoreApi api;
    private Inbounds inbounds = Inbounds.NONE;

    /** Managed mode: the driver runs the core described by {@code settings}. */
    public XrayDriver(CoreSettings settings) {
        this.flavour = settings.flavour();
        this.settings = settings;
        this.core = new ManagedCore(settings);
        this.api = core.api();
        this.reality = flavour.hasReality() ? realityKey(settings.folder().resolve("reality.key")) : null;
    }

    private static RealityKey realityKey(Path file) {
        try {
            return RealityKey.loadOrCreate(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make or read the REALITY key " + file + ": " + e.getMessage(), e);
        }
    }

    /** Managed Xray: the node's REALITY public key, for every REALITY inbound (empty tag: all of them). */
    @Override
    public Map<String, String> publicKeys() {
        return reality == null ? Map.of() : Map.of("", reality.publicKey());
    }

    /** External mode: the operator runs the core, whose API listens on {@code host:port}. */
    public XrayDriver(CoreFlavour flavour, String host, int port) {
        this.flavour = flavour;
        this.settings = null;
        this.core = null;
        this.api = CoreApi.connect(flavour, host, port);
        this.reality = null;
    }

    @Override
    public Engine engine() {
        return Engine.ENGINE_XRAY;
    }

    /**
     * Managed: renders the core's configuration and (re)starts the core when its inbounds changed.
     * An inbound the core cannot run here is left out and logged; see {@link #refusedInbounds()}.
     * External: records the inbounds and returns false.
     */
    @Override
    public boolean configure(NodeConfig config) throws EngineException {
        if (core == null) {
            Inbounds next = Inbounds.external(config, flavour);
            logNewRefusals(next);
            inbounds = next;
            return false;
        }
        Inbounds next = Inbounds.managed(config, flavour, settings.tls() != null, CoreConfig.API_TAG);
        logNewRefusals(next);
        try {
            boolean started = core.run(CoreConfig.render(next, settings, core.apiPort(), reality));
            inbounds = next;
            return started;
        } catch (EngineException e) {
            if (!e.permanent()) {
                inbounds = next; // the supervisor keeps starting the core with it
            }
            throw e;
        }
    }

    /**
     * Adds the user to each of its inbound tags (to every served inbound when it names none).
     * APPLIED when any inbound took it, ALREADY_PRESENT when all had it.
     */
    @Override
    public Applied add(Credential credential) throws EngineException {
        boolean added = false;
        for (Map.Entry<String, CoreUser> entry : plan(credential).entrySet()) {
            try {
                api.addUser(entry.getKey(), entry.getValue());
                added = true;
            } catch (StatusRuntimeException e) {
                if (CoreErrors.outcome(e).orElse(null) != Applied.ALREADY_PRESENT) {
                    throw CoreErrors.failure("adding " + entry.getValue().email() + " to " + entry.getKey(), e);
                }
            }
        }
        return added ? Applied.APPLIED : Applied.ALREADY_PRESENT;
    }

    /**
     * As {@link #add} for each credential, with up to {@value #ADDS_IN_FLIGHT} calls to the core
     * outstanding at once; a credential that does not fit is refused before any call.
     */
    @Override
    public Map<String, AddResult> addAll(List<Credential> credentials) {
        Map<String, AddResult> refused = new HashMap<>();
        List<PipelinedAdds.Job> jobs = new ArrayList<>(credentials.size());
        for (Credential credential : credentials) {
            try {
                jobs.add(new PipelinedAdds.Job(credential.getCredentialId(), plan(credential)));
            } catch (EngineException e) {
                refused.put(credential.getCredentialId(), AddResult.failed(e));
            }
        }
        Map<String, AddResult> added = PipelinedAdds.run(api, ADDS_IN_FLIGHT, jobs);
        Map<String, AddResult> results = new LinkedHashMap<>();
        for (Credential credential : credentials) {
            String id = credential.getCredentialId();
            results.put(id, refused.containsKey(id) ? refused.get(id) : added.get(id));
        }
        return results;
    }

    /**
     * The user to add to each inbound, by tag; refused for good (before any call) when it does not
     * fit, because the core panics on an account of the wrong type.
     */
    private Map<String, CoreUser> plan(Credential credential) throws EngineException {
        if (!credential.hasXray()) {
            throw new EngineException("credential " + credential.getCredentialId() + " has no Xray settings", true);
        }
        XrayCredential xray = credential.getXray();
        String email = email(credential.getCredentialId());
        if (xray.getLevel() != 0 && core != null) {
            throw new EngineException("level " + xray.getLevel() + " has no traffic counters in the managed core"
                    + " (only level 0 does)", true);
        }
        Collection<String> tags = xray.getInboundTagsCount() > 0 ? xray.getInboundTagsList() : inbounds.served().keySet();
        if (tags.isEmpty()) {
            throw new EngineException("no Xray inbound is configured to serve it on", true);
        }
        Map<String, CoreUser> plan = new LinkedHashMap<>();
        for (String tag : tags) {
            plan.put(tag, new CoreUser(email, xray.getLevel(), inbounds.require(tag).account(xray)));
        }
        return plan;
    }

    /**
     * Removes the user from every served inbound (a reference names none). NOT_FOUND when no
     * inbound had it; an inbound the core does not have holds nobody. An inbound that refuses is
     * reported after all the others were tried.
     */
    @Override
    public Applied remove(CredentialRef credential) throws EngineException {
        String email = email(credential.getCredentialId());
        boolean removed = false;
        EngineException refusal = null;
        for (String tag : inbounds.served().keySet()) {
            try {
                api.removeUser(tag, email);
                removed = true;
            } catch (StatusRuntimeException e) {
                if (CoreErrors.outcome(e).orElse(null) != Applied.NOT_FOUND && !CoreErrors.missingInbound(e)) {
                    EngineException failure = CoreErrors.failure("removing " + email + " from " + tag, e);
                    if (!failure.permanent()) {
                        throw failure;
                    }
                    refusal = failure;
                }
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        return removed ? Applied.APPLIED : Applied.NOT_FOUND;
    }

    /** Xray: the users of every served inbound. V2Fly (or an Xray before v24.11.5) cannot list them. */
    @Override
    public Optional<Set<String>> served() throws EngineException {
        if (flavour == CoreFlavour.V2FLY) {
            return Optional.empty();
        }
        Set<String> emails = new HashSet<>();
        for (String tag : inbounds.served().keySet()) {
            try {
                Optional<Set<String>> users = api.inboundUsers(tag);
                if (users.isEmpty()) {
                    return Optional.empty();
                }
                emails.addAll(users.get());
            } catch (StatusRuntimeException e) {
                throw CoreErrors.failure("listing the users of " + tag, e);
            }
        }
        return Optional.of(emails);
    }

    @Override
    public Map<String, Counters> counters() throws EngineException {
        Map<String, Long> stats;
        try {
            stats = api.queryStats(USER_STATS);
        } catch (StatusRuntimeException e) {
            throw CoreErrors.failure("reading the traffic counters", e);
        }
        return UserStats.counters(stats);
    }

    /** How long the core has run; a smaller value than before means it restarted. */
    public Duration uptime() throws EngineException {
        try {
            return Duration.ofSeconds(api.uptimeSeconds());
        } catch (StatusRuntimeException e) {
            throw CoreErrors.failure("reading the core's uptime", e);
        }
    }

    /**
     * Managed mode: how many times the core started, whether {@link #configure} started it or the
     * supervisor did after it died; after each start the core holds no users. External mode: how many
     * restarts of the operator's core were seen, a restart being an uptime (GetSysStats) below the last
     * one, or below the last one plus the time since by more than two seconds of rounding.
     */
    @Override
    public long generation() {
        if (core != null) {
            return core.generation();
        }
        synchronized (this) {
            try {
                long uptime = api.uptimeSeconds();
                long now = System.nanoTime();
                if (lastUptime >= 0) {
                    long expected = lastUptime + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(now - lastUptimeAt);
                    if (uptime < lastUptime || uptime + 2 < expected) {
                        externalRestarts++;
                    }
                }
                lastUptime = uptime;
                lastUptimeAt = now;
            } catch (RuntimeException e) {
                // Unreachable now: the next look compares against the last uptime seen.
            }
            return externalRestarts;
        }
    }

    /** The inbounds of the last configuration that the core does not serve, each with its reason. */
    public Map<String, String> refusedInbounds() {
        return inbounds.refused();
    }

    @Override
    public CoreInfo info() {
        return new CoreInfo(flavour.flavour(), core == null ? "unknown" : core.version());
    }

    @Override
    public void close() {
        if (core != null) {
            core.close();
        } else {
            api.close();
        }
    }

    /**
     * Stops driving the core but leaves it serving, as a killed agent would: the next agent on this
     * folder adopts it (users, connections and counters go on).
     */
    public void detach() {
        if (core != null) {
            core.detach();
        } else {
            api.close();
        }
    }

    /** The managed core's process id while it runs. */
    OptionalLong corePid() {
        return core == null ? OptionalLong.empty() : core.pid();
    }

    private static String email(String credentialId) throws EngineException {
        if (credentialId.isBlank() || credentialId.contains(">>>")) {
            throw new EngineException("credential id '" + credentialId + "' cannot be a core user's email", true);
        }
        return credentialId.toLowerCase(Locale.ROOT);
    }

    private void logNewRefusals(Inbounds next) {
        if (!next.refused().equals(inbounds.refused())) {
            next.refused().forEach((tag, reason) -> log.warn("inbound {} is not served: {}", tag, reason));
        }
    }
}

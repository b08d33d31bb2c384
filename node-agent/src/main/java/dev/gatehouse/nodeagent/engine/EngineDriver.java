package dev.gatehouse.nodeagent.engine;

import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One engine on this server (the Xray/V2Fly core, WireGuard), driven live: users are added and
 * removed through the engine's own interface, never by restarting it. Every call answers with a
 * typed result; nothing is swallowed. Implementations are safe for one caller at a time (the
 * reconciler serialises them).
 */
public interface EngineDriver extends AutoCloseable {

    Engine engine();

    /**
     * Brings the engine itself to the node configuration (the core's inbounds, the WireGuard
     * interface) and starts it if it is not running. A core whose inbounds change is restarted here,
     * and only here; after any start the caller re-applies every user.
     *
     * @return true when the engine was (re)started and holds no users now
     */
    boolean configure(NodeConfig config) throws EngineException;

    /** Adds one user (idempotent: a user already served answers {@link Applied#ALREADY_PRESENT}). */
    Applied add(Credential credential) throws EngineException;

    /**
     * Adds many users at once, as {@link #add} would one by one, and answers for each credential id
     * (ids are unique in the list): a failure of one never stops the others. An engine that can
     * pipeline its calls or apply many users per call overrides this; the default calls {@link #add}
     * in order.
     */
    default Map<String, AddResult> addAll(List<Credential> credentials) {
        Map<String, AddResult> results = new LinkedHashMap<>();
        for (Credential credential : credentials) {
            try {
                results.put(credential.getCredentialId(), AddResult.of(add(credential)));
            } catch (EngineException e) {
                results.put(credential.getCredentialId(), AddResult.failed(e));
            }
        }
        return results;
    }

    /** Removes one user (a user not served answers {@link Applied#NOT_FOUND}). */
    Applied remove(CredentialRef credential) throws EngineException;

    /**
     * The credential ids the engine serves now, where it can list them (WireGuard, Xray); empty when
     * the engine cannot tell (V2Fly has no call that lists an inbound's users).
     */
    Optional<Set<String>> served() throws EngineException;

    /**
     * Cumulative byte counters per credential id, read without resetting them. A counter may go
     * down (core restart, peer re-created); the caller turns counters into deltas.
     */
    Map<String, Counters> counters() throws EngineException;

    /**
     * Grows by one every time the engine (re)started on its own (a supervised core that died and was
     * started again): the caller re-applies every user and treats the counters as starting over.
     */
    default long generation() {
        return 0;
    }

    /**
     * Public halves of key material this engine made on the node, for the panel's client
     * configurations: inbound tag (empty for an interface) to public key.
     */
    default Map<String, String> publicKeys() {
        return Map.of();
    }

    /** What runs: flavour (xray, v2fly, wireguard-go, kernel) and version, for Hello and status. */
    CoreInfo info();

    /** A counter reading: bytes from the user (up) and to the user (down). */
    record Counters(long up, long down) {
    }

    record CoreInfo(String flavour, String version) {
    }

    /** The outcome of one add or remove that the engine accepted or answered in a known way. */
    enum Applied {
        APPLIED, ALREADY_PRESENT, NOT_FOUND
    }

    /**
     * What a bulk add answered for one credential: {@code applied} when the engine took it (or had
     * it), else the failure {@link #add} would have thrown, with its reason and whether it is
     * permanent (as {@link EngineException#permanent()}).
     */
    record AddResult(Applied applied, String failure, boolean permanent) {

        public AddResult {
            if ((applied == null) == (failure == null)) {
                throw new IllegalArgumentException("an add result is either applied or failed");
            }
        }

        public static AddResult of(Applied applied) {
            return new AddResult(applied, null, false);
        }

        public static AddResult failed(EngineException e) {
            return new AddResult(null, e.getMessage() != null ? e.getMessage() : e.toString(), e.permanent());
        }

        public static AddResult failed(String reason, boolean permanent) {
            return new AddResult(null, reason, permanent);
        }

        public boolean ok() {
            return applied != null;
        }
    }

    @Override
    void close();
}

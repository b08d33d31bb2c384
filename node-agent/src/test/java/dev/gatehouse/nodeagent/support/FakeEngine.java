package dev.gatehouse.nodeagent.support;

import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An engine in memory for the reconciler's and sampler's logic alone (the real cores are driven in
 * the engine packages' integration tests): it records calls, serves a set, and holds counters the
 * test moves.
 */
public final class FakeEngine implements EngineDriver {

    private final Engine engine;
    private final boolean lists;
    public final Set<String> serving = new LinkedHashSet<>();
    public final Map<String, Counters> counters = new HashMap<>();
    public final List<String> calls = new ArrayList<>();
    public final Set<String> refuse = new LinkedHashSet<>();
    /** Credential ids whose add fails as if the engine were unreachable (worth a retry). */
    public final Set<String> unreachable = new LinkedHashSet<>();
    /** The credential ids of every bulk add, one list per call. */
    public final List<List<String>> bulks = new ArrayList<>();
    public boolean down;
    public long generation;

    public FakeEngine(Engine engine, boolean lists) {
        this.engine = engine;
        this.lists = lists;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public boolean configure(NodeConfig config) {
        calls.add("configure");
        return false;
    }

    @Override
    public Applied add(Credential credential) throws EngineException {
        if (down) {
            throw new EngineException("the core is not answering", false);
        }
        if (refuse.contains(credential.getCredentialId())) {
            throw new EngineException("malformed key", true);
        }
        if (unreachable.contains(credential.getCredentialId())) {
            throw new EngineException("no answer in time", false);
        }
        calls.add("add " + credential.getCredentialId());
        return serving.add(credential.getCredentialId()) ? Applied.APPLIED : Applied.ALREADY_PRESENT;
    }

    /** Records the call, then adds one by one as the interface's default does. */
    @Override
    public Map<String, AddResult> addAll(List<Credential> credentials) {
        bulks.add(credentials.stream().map(Credential::getCredentialId).toList());
        return EngineDriver.super.addAll(credentials);
    }

    @Override
    public Applied remove(CredentialRef credential) {
        calls.add("remove " + credential.getCredentialId());
        return serving.remove(credential.getCredentialId()) ? Applied.APPLIED : Applied.NOT_FOUND;
    }

    @Override
    public Optional<Set<String>> served() {
        return lists ? Optional.of(Set.copyOf(serving)) : Optional.empty();
    }

    @Override
    public Map<String, Counters> counters() throws EngineException {
        if (down) {
            throw new EngineException("the core is not answering", false);
        }
        calls.add("counters");
        return new java.util.TreeMap<>(counters); // in key order, so sequence numbers are predictable
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public CoreInfo info() {
        return new CoreInfo("fake", "1");
    }

    @Override
    public void close() {
    }
}

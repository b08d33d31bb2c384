package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many users added to the core with up to {@code inFlight} AlterInbound calls outstanding on the
 * one channel, instead of one round trip at a time (10k users one by one took about 10 s). Each
 * user gets the answer {@link XrayDriver#add} would give. Once a call finds the core unreachable,
 * no further call is started: the users not tried get that failure, to be retried on the next round.
 */
final class PipelinedAdds {

    /** A user to add to each of its inbounds: tag to the user as the core keys it, in order. */
    record Job(String credentialId, Map<String, CoreUser> plan) {
    }

    /** One AlterInbound call; its fields are written by a gRPC thread before its slot is released. */
    private static final class Call {
        final Job job;
        final String tag;
        boolean tried;
        StatusRuntimeException error;

        Call(Job job, String tag) {
            this.job = job;
            this.tag = tag;
        }
    }

    private PipelinedAdds() {
    }

    /** Runs every job's calls and answers per credential id, in the jobs' order. */
    static Map<String, AddResult> run(CoreApi api, int inFlight, List<Job> jobs) {
        List<Call> calls = new ArrayList<>();
        for (Job job : jobs) {
            job.plan().keySet().forEach(tag -> calls.add(new Call(job, tag)));
        }
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<EngineException> unreachable = new AtomicReference<>();
        for (Call call : calls) {
            slots.acquireUninterruptibly();
            if (unreachable.get() != null) {
                slots.release();
                break;
            }
            call.tried = true;
            CompletableFuture<Void> answer;
            try {
                answer = api.addUserAsync(call.tag, call.job.plan().get(call.tag));
            } catch (RuntimeException e) {
                call.error = Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).withCause(e)
                        .asRuntimeException();
                slots.release();
                continue;
            }
            answer.whenComplete((ok, failure) -> {
                if (failure != null) {
                    call.error = failure instanceof StatusRuntimeException s ? s
                            : Status.fromThrowable(failure).asRuntimeException();
                    EngineException meaning = CoreErrors.failure("adding", call.error);
                    if (CoreErrors.outcome(call.error).isEmpty() && !meaning.permanent()) {
                        unreachable.compareAndSet(null, meaning);
                    }
                }
                slots.release();
            });
        }
        slots.acquireUninterruptibly(inFlight); // every call started has answered (each has a deadline)
        slots.release(inFlight);
        Map<String, List<Call>> byJob = new LinkedHashMap<>();
        calls.forEach(call -> byJob.computeIfAbsent(call.job.credentialId(), id -> new ArrayList<>()).add(call));
        Map<String, AddResult> results = new LinkedHashMap<>();
        for (Job job : jobs) {
            results.put(job.credentialId(), fold(byJob.getOrDefault(job.credentialId(), List.of()),
                    unreachable.get()));
        }
        return results;
    }

    /**
     * One user's calls as one answer: APPLIED when any inbound took it, ALREADY_PRESENT when all
     * had it; a failure to be retried outweighs a refusal, which would keep the user off for good.
     */
    private static AddResult fold(List<Call> calls, EngineException unreachable) {
        boolean added = false;
        EngineException refusal = null;
        for (Call call : calls) {
            String email = call.job.plan().get(call.tag).email();
            if (!call.tried) {
                return AddResult.failed("adding " + email + " to " + call.tag + ": not tried, since "
                        + unreachable.getMessage(), false);
            }
            if (call.error == null) {
                added = true;
            } else if (CoreErrors.outcome(call.error).orElse(null) != Applied.ALREADY_PRESENT) {
                EngineException failure = CoreErrors.failure("adding " + email + " to " + call.tag, call.error);
                if (!failure.permanent()) {
                    return AddResult.failed(failure);
                }
                refusal = refusal != null ? refusal : failure;
            }
        }
        if (refusal != null) {
            return AddResult.failed(refusal);
        }
        return AddResult.of(added ? Applied.APPLIED : Applied.ALREADY_PRESENT);
    }
}

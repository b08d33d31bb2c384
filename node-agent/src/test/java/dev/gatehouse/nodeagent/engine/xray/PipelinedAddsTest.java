package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Bulk adds against a core in memory that answers later, on other threads, as gRPC does. */
class PipelinedAddsTest {

    /** Answers every add after a short pause; {@code answer} maps "tag/email" to an error, or null for OK. */
    private static final class SlowCore extends CoreApi {
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger mostOutstanding = new AtomicInteger();
        final Set<String> started = ConcurrentHashMap.newKeySet();
        final Function<String, StatusRuntimeException> answer;
        final Executor later = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);

        SlowCore(Function<String, StatusRuntimeException> answer) {
            super(null);
            this.answer = answer;
        }

        @Override
        CompletableFuture<Void> addUserAsync(String tag, CoreUser user) {
            String call = tag + "/" + user.email();
            started.add(call);
            mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            CompletableFuture<Void> done = new CompletableFuture<>();
            later.execute(() -> {
                outstanding.decrementAndGet();
                StatusRuntimeException error = answer.apply(call);
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            });
            return done;
        }

        @Override
        void addUser(String tag, CoreUser user) {
            throw new UnsupportedOperationException();
        }

        @Override
        void removeUser(String tag, String email) {
            throw new UnsupportedOperationException();
        }

        @Override
        Map<String, Long> queryStats(String pattern) {
            throw new UnsupportedOperationException();
        }

        @Override
        long uptimeSeconds() {
            throw new UnsupportedOperationException();
        }

        @Override
        Optional<Set<String>> inboundUsers(String tag) {
            return Optional.empty();
        }
    }

    private static PipelinedAdds.Job job(String email, String... tags) {
        Map<String, CoreUser> plan = new LinkedHashMap<>();
        for (String tag : tags) {
            plan.put(tag, new CoreUser(email, 0, Account.vless("00000000-0000-0000-0000-000000000000", "")));
        }
        return new PipelinedAdds.Job(email, plan);
    }

    private static StatusRuntimeException unknown(String text) {
        return Status.UNKNOWN.withDescription(text).asRuntimeException();
    }

    @Test
    void neverMoreCallsOutstandingThanAllowedAndEveryUserAnswered() {
        SlowCore core = new SlowCore(call -> null);
        List<PipelinedAdds.Job> jobs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            jobs.add(job("u" + i, "a-in", "b-in"));
        }

        Map<String, AddResult> results = PipelinedAdds.run(core, 8, jobs);

        assertThat(core.started).hasSize(1000);
        assertThat(core.mostOutstanding.get()).isBetween(2, 8);
        assertThat(results.keySet()).containsExactlyElementsOf(jobs.stream().map(PipelinedAdds.Job::credentialId)
                .toList());
        assertThat(results.values()).allMatch(r -> r.applied() == Applied.APPLIED);
    }

    @Test
    void eachUserGetsTheAnswerASingleAddWouldGive() {
        SlowCore core = new SlowCore(call -> switch (call) {
            case "a-in/both", "b-in/both", "a-in/half" -> unknown("User x already exists.");
            case "b-in/gone" -> unknown("app/proxyman/inbound: handler not found: b-in");
            default -> null;
        });

        Map<String, AddResult> results = PipelinedAdds.run(core, 4, List.of(job("both", "a-in", "b-in"),
                job("half", "a-in", "b-in"), job("gone", "a-in", "b-in"), job("new", "a-in")));

        assertThat(results.get("both")).isEqualTo(AddResult.of(Applied.ALREADY_PRESENT));
        assertThat(results.get("half")).isEqualTo(AddResult.of(Applied.APPLIED));
        assertThat(results.get("gone").permanent()).isTrue();
        assertThat(results.get("gone").failure()).startsWith("adding gone to b-in: the core has no such inbound");
        assertThat(results.get("new")).isEqualTo(AddResult.of(Applied.APPLIED));
    }

    @Test
    void anUnreachableCoreStopsTheBulkAndEveryUserNotAddedIsRetriedLater() {
        SlowCore core = new SlowCore(call -> call.equals("a-in/u10")
                ? Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException() : null);
        List<PipelinedAdds.Job> jobs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            jobs.add(job("u" + i, "a-in"));
        }

        Map<String, AddResult> results = PipelinedAdds.run(core, 4, jobs);

        assertThat(core.started.size()).as("calls started after the core went away").isLessThan(100);
        assertThat(results.get("u10").permanent()).isFalse();
        assertThat(results.get("u10").failure()).contains("unreachable");
        assertThat(results.get("u1999").permanent()).isFalse();
        assertThat(results.get("u1999").failure()).contains("not tried").contains("connection refused");
        assertThat(results.get("u0")).isEqualTo(AddResult.of(Applied.APPLIED));
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The core's gRPC API (HandlerService, StatsService) over one plaintext loopback channel, in
 * flavour-neutral terms; each flavour's subclass speaks its own proto packages. Every call has a
 * deadline and fails with the raw {@link StatusRuntimeException}: {@link CoreErrors} gives it a
 * meaning.
 */
abstract class CoreApi implements AutoCloseable {

    static final Duration ALTER_DEADLINE = Duration.ofSeconds(5);
    /** QueryStats over 100k users answers about 10 MB. */
    static final Duration STATS_DEADLINE = Duration.ofSeconds(30);
    static final Duration SYS_DEADLINE = Duration.ofSeconds(2);
    static final Duration LIST_DEADLINE = Duration.ofSeconds(30);
    private static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    protected final ManagedChannel channel;

    protected CoreApi(ManagedChannel channel) {
        this.channel = channel;
    }

    static CoreApi connect(CoreFlavour flavour, String host, int port) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES).build();
        return switch (flavour) {
            case V2FLY -> new V2flyApi(channel);
            case XRAY -> new XrayApi(channel);
        };
    }

    abstract void addUser(String tag, CoreUser user);

    /**
     * As {@link #addUser}, without waiting: completes when the core answered, exceptionally with
     * the call's {@link StatusRuntimeException}. Completion runs on a gRPC thread.
     */
    abstract CompletableFuture<Void> addUserAsync(String tag, CoreUser user);

    abstract void removeUser(String tag, String email);

    /** Counters whose name contains {@code pattern}, read without resetting them. */
    abstract Map<String, Long> queryStats(String pattern);

    abstract long uptimeSeconds();

    /** The emails of an inbound's users; empty when this core cannot list them. */
    abstract Optional<Set<String>> inboundUsers(String tag);

    /** An observer of a unary call that completes {@code done} when the call ends. */
    static <T> StreamObserver<T> completing(CompletableFuture<Void> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t instanceof StatusRuntimeException ? t
                        : Status.fromThrowable(t).asRuntimeException());
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        };
    }

    /** Reconnect at once instead of after the channel's backoff (the core just (re)started). */
    void resetBackoff() {
        channel.resetConnectBackoff();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import com.google.protobuf.Message;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AddUserOperation;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AlterInboundRequest;
import dev.gatehouse.proto.v2ray.app.proxyman.command.HandlerServiceGrpc;
import dev.gatehouse.proto.v2ray.app.proxyman.command.RemoveUserOperation;
import dev.gatehouse.proto.v2ray.app.stats.command.QueryStatsRequest;
import dev.gatehouse.proto.v2ray.app.stats.command.Stat;
import dev.gatehouse.proto.v2ray.app.stats.command.StatsServiceGrpc;
import dev.gatehouse.proto.v2ray.app.stats.command.SysStatsRequest;
import dev.gatehouse.proto.v2ray.common.protocol.User;
import dev.gatehouse.proto.v2ray.common.serial.TypedMessage;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The V2Fly core's API ({@code v2ray.core.app...}); it has no call that lists an inbound's users. */
final class V2flyApi extends CoreApi {

    private final HandlerServiceGrpc.HandlerServiceBlockingStub handler;
    private final HandlerServiceGrpc.HandlerServiceStub asyncHandler;
    private final StatsServiceGrpc.StatsServiceBlockingStub stats;

    V2flyApi(ManagedChannel channel) {
        super(channel);
        this.handler = HandlerServiceGrpc.newBlockingStub(channel);
        this.asyncHandler = HandlerServiceGrpc.newStub(channel);
        this.stats = StatsServiceGrpc.newBlockingStub(channel);
    }

    @Override
    void addUser(String tag, CoreUser user) {
        handler.withDeadlineAfter(ALTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).alterInbound(addUserRequest(tag, user));
    }

    @Override
    CompletableFuture<Void> addUserAsync(String tag, CoreUser user) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        asyncHandler.withDeadlineAfter(ALTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .alterInbound(addUserRequest(tag, user), completing(done));
        return done;
    }

    @Override
    void removeUser(String tag, String email) {
        handler.withDeadlineAfter(ALTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .alterInbound(removeUserRequest(tag, email));
    }

    @Override
    Map<String, Long> queryStats(String pattern) {
        return stats.withDeadlineAfter(STATS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .queryStats(QueryStatsRequest.newBuilder().setPattern(pattern).setReset(false).build())
                .getStatList().stream().collect(Collectors.toMap(Stat::getName, Stat::getValue, Long::sum));
    }

    @Override
    long uptimeSeconds() {
        return stats.withDeadlineAfter(SYS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .getSysStats(SysStatsRequest.getDefaultInstance()).getUptime();
    }

    @Override
    Optional<Set<String>> inboundUsers(String tag) {
        return Optional.empty();
    }

    static AlterInboundRequest addUserRequest(String tag, CoreUser user) {
        User wire = User.newBuilder().setEmail(user.email()).setLevel(user.level())
                .setAccount(typed(account(user.account()))).build();
        return AlterInboundRequest.newBuilder().setTag(tag)
                .setOperation(typed(AddUserOperation.newBuilder().setUser(wire).build())).build();
    }

    static AlterInboundRequest removeUserRequest(String tag, String email) {
        return AlterInboundRequest.newBuilder().setTag(tag)
                .setOperation(typed(RemoveUserOperation.newBuilder().setEmail(email).build())).build();
    }

    /** alterId stays 0: a removed user with legacy (alterId > 0) IDs kept access for minutes. */
    static Message account(Account account) {
        return switch (account.protocol()) {
            case VMESS -> dev.gatehouse.proto.v2ray.proxy.vmess.Account.newBuilder()
                    .setId(account.id()).setAlterId(0).build();
            case VLESS -> dev.gatehouse.proto.v2ray.proxy.vless.Account.newBuilder()
                    .setId(account.id()).setFlow(account.flow()).build();
            case TROJAN -> dev.gatehouse.proto.v2ray.proxy.trojan.Account.newBuilder()
                    .setPassword(account.password()).build();
            case SHADOWSOCKS -> throw new IllegalArgumentException("V2Fly cannot add Shadowsocks users live");
        };
    }

    private static TypedMessage typed(Message message) {
        return TypedMessage.newBuilder().setType(message.getDescriptorForType().getFullName())
                .setValue(message.toByteString()).build();
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import com.google.protobuf.Message;
import dev.gatehouse.proto.xray.app.proxyman.command.AddUserOperation;
import dev.gatehouse.proto.xray.app.proxyman.command.AlterInboundRequest;
import dev.gatehouse.proto.xray.app.proxyman.command.GetInboundUserRequest;
import dev.gatehouse.proto.xray.app.proxyman.command.HandlerServiceGrpc;
import dev.gatehouse.proto.xray.app.proxyman.command.RemoveUserOperation;
import dev.gatehouse.proto.xray.app.stats.command.QueryStatsRequest;
import dev.gatehouse.proto.xray.app.stats.command.Stat;
import dev.gatehouse.proto.xray.app.stats.command.StatsServiceGrpc;
import dev.gatehouse.proto.xray.app.stats.command.SysStatsRequest;
import dev.gatehouse.proto.xray.common.protocol.User;
import dev.gatehouse.proto.xray.common.serial.TypedMessage;
import dev.gatehouse.proto.xray.proxy.shadowsocks.CipherType;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Xray core's API ({@code xray.app...}). It lists an inbound's users (GetInboundUsers, since
 * v24.11.5); an older core answers UNIMPLEMENTED, and the listing is then unknown.
 */
final class XrayApi extends CoreApi {

    private final HandlerServiceGrpc.HandlerServiceBlockingStub handler;
    private final HandlerServiceGrpc.HandlerServiceStub asyncHandler;
    private final StatsServiceGrpc.StatsServiceBlockingStub stats;

    XrayApi(ManagedChannel channel) {
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
        try {
            return Optional.of(handler.withDeadlineAfter(LIST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .getInboundUsers(GetInboundUserRequest.newBuilder().setTag(tag).build())
                    .getUsersList().stream().map(u -> u.getEmail().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return Optional.empty();
            }
            throw e;
        }
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

    /** A VLESS inbound user's encryption stays empty, as the core itself builds it from JSON. */
    static Message account(Account account) {
        return switch (account.protocol()) {
            case VMESS -> dev.gatehouse.proto.xray.proxy.vmess.Account.newBuilder().setId(account.id()).build();
            case VLESS -> dev.gatehouse.proto.xray.proxy.vless.Account.newBuilder()
                    .setId(account.id()).setFlow(account.flow()).build();
            case TROJAN -> dev.gatehouse.proto.xray.proxy.trojan.Account.newBuilder()
                    .setPassword(account.password()).build();
            case SHADOWSOCKS -> dev.gatehouse.proto.xray.proxy.shadowsocks.Account.newBuilder()
                    .setPassword(account.password()).setCipherType(cipher(account.cipher())).build();
        };
    }

    private static CipherType cipher(ShadowsocksCipher cipher) {
        return switch (cipher) {
            case AES_128_GCM -> CipherType.AES_128_GCM;
            case AES_256_GCM -> CipherType.AES_256_GCM;
            case CHACHA20_POLY1305 -> CipherType.CHACHA20_POLY1305;
        };
    }

    private static TypedMessage typed(Message message) {
        return TypedMessage.newBuilder().setType(message.getDescriptorForType().getFullName())
                .setValue(message.toByteString()).build();
    }
}

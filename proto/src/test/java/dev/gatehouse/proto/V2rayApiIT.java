package dev.gatehouse.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AddUserOperation;
import dev.gatehouse.proto.v2ray.app.proxyman.command.AlterInboundRequest;
import dev.gatehouse.proto.v2ray.app.proxyman.command.HandlerServiceGrpc;
import dev.gatehouse.proto.v2ray.app.proxyman.command.RemoveUserOperation;
import dev.gatehouse.proto.v2ray.app.stats.command.QueryStatsRequest;
import dev.gatehouse.proto.v2ray.app.stats.command.StatsServiceGrpc;
import dev.gatehouse.proto.v2ray.app.stats.command.SysStatsRequest;
import dev.gatehouse.proto.v2ray.common.protocol.User;
import dev.gatehouse.proto.v2ray.common.serial.TypedMessage;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.V2rayProcess;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The V2Fly API subset in proto/ speaks to the real Debian v2ray core: users are added to and
 * removed from running inbounds, and the stats service answers.
 */
class V2rayApiIT {

    private static V2rayProcess core;
    private static ManagedChannel channel;

    @BeforeAll
    static void startCore() throws Exception {
        int apiPort = Ports.free();
        core = V2rayProcess.start("""
                {
                  "stats": {},
                  "api": {"tag": "api", "services": ["HandlerService", "StatsService"]},
                  "policy": {"levels": {"0": {"statsUserUplink": true, "statsUserDownlink": true}}},
                  "inbounds": [
                    {"tag": "api", "listen": "127.0.0.1", "port": %d, "protocol": "dokodemo-door",
                     "settings": {"address": "127.0.0.1"}},
                    {"tag": "vmess-in", "listen": "127.0.0.1", "port": %d, "protocol": "vmess",
                     "settings": {"clients": []}},
                    {"tag": "vless-in", "listen": "127.0.0.1", "port": %d, "protocol": "vless",
                     "settings": {"clients": [], "decryption": "none"}}
                  ],
                  "outbounds": [{"protocol": "freedom", "tag": "direct"}],
                  "routing": {"rules": [{"type": "field", "inboundTag": ["api"], "outboundTag": "api"}]}
                }
                """.formatted(apiPort, Ports.free(), Ports.free()), apiPort);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", apiPort).usePlaintext().build();
    }

    @AfterAll
    static void stopCore() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (core != null) {
            core.close();
        }
    }

    @Test
    void addsAndRemovesAVmessUserOnARunningInbound() {
        var handler = HandlerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        String email = "vmess-" + UUID.randomUUID() + "@gatehouse";
        var account = dev.gatehouse.proto.v2ray.proxy.vmess.Account.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setAlterId(0)
                .build();

        handler.alterInbound(addUser("vmess-in", email, account));
        assertThatThrownBy(() -> handler.alterInbound(addUser("vmess-in", email, account)))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("already exists");

        handler.alterInbound(removeUser("vmess-in", email));
        assertThatThrownBy(() -> handler.alterInbound(removeUser("vmess-in", email)))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void addsAVlessUserOnARunningInbound() {
        var handler = HandlerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        String email = "vless-" + UUID.randomUUID() + "@gatehouse";
        var account = dev.gatehouse.proto.v2ray.proxy.vless.Account.newBuilder()
                .setId(UUID.randomUUID().toString())
                .build();

        handler.alterInbound(addUser("vless-in", email, account));
        handler.alterInbound(removeUser("vless-in", email));
    }

    @Test
    void statsServiceAnswers() {
        var stats = StatsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThat(stats.getSysStats(SysStatsRequest.getDefaultInstance()).getNumGoroutine()).isPositive();
        var none = stats.queryStats(QueryStatsRequest.newBuilder()
                .setPattern("user>>>nobody@gatehouse>>>").setReset(false).build());
        assertThat(none.getStatList()).isEmpty();
    }

    private static AlterInboundRequest addUser(String inbound, String email, Message account) {
        User user = User.newBuilder().setEmail(email).setLevel(0).setAccount(typed(account)).build();
        return AlterInboundRequest.newBuilder()
                .setTag(inbound)
                .setOperation(typed(AddUserOperation.newBuilder().setUser(user).build()))
                .build();
    }

    private static AlterInboundRequest removeUser(String inbound, String email) {
        return AlterInboundRequest.newBuilder()
                .setTag(inbound)
                .setOperation(typed(RemoveUserOperation.newBuilder().setEmail(email).build()))
                .build();
    }

    private static TypedMessage typed(Message message) {
        return TypedMessage.newBuilder()
                .setType(message.getDescriptorForType().getFullName())
                .setValue(message.toByteString())
                .build();
    }
}

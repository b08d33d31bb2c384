package dev.gatehouse.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeSessionGrpc;
import dev.gatehouse.proto.agent.v1.TrafficBatch;
import dev.gatehouse.proto.agent.v1.TrafficSample;
import org.junit.jupiter.api.Test;

/** Names on the wire are the cores' own; the node session round-trips. */
class ProtoContractTest {

    @Test
    void xrayAndV2flyServicesKeepTheirUpstreamNames() {
        assertThat(dev.gatehouse.proto.xray.app.proxyman.command.HandlerServiceGrpc.SERVICE_NAME)
                .isEqualTo("xray.app.proxyman.command.HandlerService");
        assertThat(dev.gatehouse.proto.xray.app.stats.command.StatsServiceGrpc.SERVICE_NAME)
                .isEqualTo("xray.app.stats.command.StatsService");
        assertThat(dev.gatehouse.proto.v2ray.app.proxyman.command.HandlerServiceGrpc.SERVICE_NAME)
                .isEqualTo("v2ray.core.app.proxyman.command.HandlerService");
        assertThat(dev.gatehouse.proto.v2ray.app.stats.command.StatsServiceGrpc.SERVICE_NAME)
                .isEqualTo("v2ray.core.app.stats.command.StatsService");
    }

    @Test
    void typedMessageNamesAreTheCoresFullNames() {
        assertThat(dev.gatehouse.proto.xray.proxy.vless.Account.getDescriptor().getFullName())
                .isEqualTo("xray.proxy.vless.Account");
        assertThat(dev.gatehouse.proto.xray.app.proxyman.command.AddUserOperation.getDescriptor().getFullName())
                .isEqualTo("xray.app.proxyman.command.AddUserOperation");
        assertThat(dev.gatehouse.proto.v2ray.proxy.vmess.Account.getDescriptor().getFullName())
                .isEqualTo("v2ray.core.proxy.vmess.Account");
    }

    @Test
    void nodeSessionIsVersionedAndRoundTrips() throws Exception {
        assertThat(NodeSessionGrpc.SERVICE_NAME).isEqualTo("gatehouse.agent.v1.NodeSession");
        AgentMessage message = AgentMessage.newBuilder()
                .setTraffic(TrafficBatch.newBuilder()
                        .setBatchId(42)
                        .addSamples(TrafficSample.newBuilder()
                                .setUserId("u").setSubscriptionId("s").setEngine(Engine.ENGINE_WIREGUARD)
                                .setTsEnd(Timestamp.newBuilder().setSeconds(1_700_000_000L))
                                .setCounterSeq(7).setBytesUp(1).setBytesDown(Long.MAX_VALUE)))
                .build();

        AgentMessage parsed = AgentMessage.parseFrom(message.toByteArray());

        assertThat(parsed).isEqualTo(message);
        assertThat(parsed.getBodyCase()).isEqualTo(AgentMessage.BodyCase.TRAFFIC);
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.gatehouse.proto.xray.app.proxyman.command.AddUserOperation;
import dev.gatehouse.proto.xray.app.proxyman.command.AlterInboundRequest;
import dev.gatehouse.proto.xray.app.proxyman.command.RemoveUserOperation;
import dev.gatehouse.proto.xray.common.protocol.User;
import dev.gatehouse.proto.xray.proxy.shadowsocks.CipherType;
import org.junit.jupiter.api.Test;

/**
 * The AlterInbound requests each flavour sends. The core finds a TypedMessage's Go type by its
 * {@code type} name, so a wrong package name is a refusal (or, for an account, a panic) at run time.
 */
class CoreMessagesTest {

    private static final String UUID = "0f6c1f0e-1b7a-4c0e-9d51-2b7e8e1f3a44";
    private static final String EMAIL = "6f1d2c4e-8a1b-4f2e-9c3d-5e6f7a8b9c0d";

    @Test
    void xrayAddsAVlessUserWithTheInboundsFlowAndNoEncryption() throws InvalidProtocolBufferException {
        AlterInboundRequest request = XrayApi.addUserRequest("vless-in",
                new CoreUser(EMAIL, 0, Account.vless(UUID, "xtls-rprx-vision")));

        assertThat(request.getTag()).isEqualTo("vless-in");
        assertThat(request.getOperation().getType()).isEqualTo("xray.app.proxyman.command.AddUserOperation");
        User user = AddUserOperation.parseFrom(request.getOperation().getValue()).getUser();
        assertThat(user.getEmail()).isEqualTo(EMAIL);
        assertThat(user.getLevel()).isZero();
        assertThat(user.getAccount().getType()).isEqualTo("xray.proxy.vless.Account");
        var account = dev.gatehouse.proto.xray.proxy.vless.Account.parseFrom(user.getAccount().getValue());
        assertThat(account.getId()).isEqualTo(UUID);
        assertThat(account.getFlow()).isEqualTo("xtls-rprx-vision");
        assertThat(account.getEncryption()).isEmpty();
    }

    @Test
    void xrayAccountsOfEveryProtocol() throws InvalidProtocolBufferException {
        var vmess = XrayApi.addUserRequest("t", new CoreUser(EMAIL, 0, Account.vmess(UUID)));
        var vmessUser = AddUserOperation.parseFrom(vmess.getOperation().getValue()).getUser();
        assertThat(vmessUser.getAccount().getType()).isEqualTo("xray.proxy.vmess.Account");
        assertThat(dev.gatehouse.proto.xray.proxy.vmess.Account.parseFrom(vmessUser.getAccount().getValue()).getId())
                .isEqualTo(UUID);

        var trojan = XrayApi.addUserRequest("t", new CoreUser(EMAIL, 0, Account.trojan("secret")));
        var trojanUser = AddUserOperation.parseFrom(trojan.getOperation().getValue()).getUser();
        assertThat(trojanUser.getAccount().getType()).isEqualTo("xray.proxy.trojan.Account");
        assertThat(dev.gatehouse.proto.xray.proxy.trojan.Account.parseFrom(trojanUser.getAccount().getValue())
                .getPassword()).isEqualTo("secret");

        var ss = XrayApi.addUserRequest("t", new CoreUser(EMAIL, 0,
                Account.shadowsocks("secret", ShadowsocksCipher.AES_128_GCM)));
        var ssUser = AddUserOperation.parseFrom(ss.getOperation().getValue()).getUser();
        assertThat(ssUser.getAccount().getType()).isEqualTo("xray.proxy.shadowsocks.Account");
        var ssAccount = dev.gatehouse.proto.xray.proxy.shadowsocks.Account.parseFrom(ssUser.getAccount().getValue());
        assertThat(ssAccount.getPassword()).isEqualTo("secret");
        assertThat(ssAccount.getCipherType()).isEqualTo(CipherType.AES_128_GCM);
        assertThat(ssAccount.getCipherType().getNumber()).as("Xray's numbering").isEqualTo(5);
    }

    @Test
    void xrayRemovesByEmail() throws InvalidProtocolBufferException {
        AlterInboundRequest request = XrayApi.removeUserRequest("vmess-in", EMAIL);

        assertThat(request.getTag()).isEqualTo("vmess-in");
        assertThat(request.getOperation().getType()).isEqualTo("xray.app.proxyman.command.RemoveUserOperation");
        assertThat(RemoveUserOperation.parseFrom(request.getOperation().getValue()).getEmail()).isEqualTo(EMAIL);
    }

    @Test
    void v2flyAddsVmessUsersWithoutLegacyIds() throws InvalidProtocolBufferException {
        var request = V2flyApi.addUserRequest("vmess-in", new CoreUser(EMAIL, 0, Account.vmess(UUID)));

        assertThat(request.getOperation().getType()).isEqualTo("v2ray.core.app.proxyman.command.AddUserOperation");
        var user = dev.gatehouse.proto.v2ray.app.proxyman.command.AddUserOperation
                .parseFrom(request.getOperation().getValue()).getUser();
        assertThat(user.getAccount().getType()).isEqualTo("v2ray.core.proxy.vmess.Account");
        var account = dev.gatehouse.proto.v2ray.proxy.vmess.Account.parseFrom(user.getAccount().getValue());
        assertThat(account.getId()).isEqualTo(UUID);
        assertThat(account.getAlterId()).isZero();

        var vless = V2flyApi.addUserRequest("vless-in", new CoreUser(EMAIL, 0, Account.vless(UUID, "")));
        var vlessUser = dev.gatehouse.proto.v2ray.app.proxyman.command.AddUserOperation
                .parseFrom(vless.getOperation().getValue()).getUser();
        assertThat(vlessUser.getAccount().getType()).isEqualTo("v2ray.core.proxy.vless.Account");
        assertThat(V2flyApi.removeUserRequest("vless-in", EMAIL).getOperation().getType())
                .isEqualTo("v2ray.core.app.proxyman.command.RemoveUserOperation");
    }
}

package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An inbound the core serves, as the panel configured it. It decides which account a credential
 * gets on it: the core panics when an inbound is handed another protocol's account, so the choice
 * is made here from the inbound's protocol, never from the credential.
 *
 * @param cipher Shadowsocks: the inbound's method; null for other protocols
 */
record Inbound(XrayInbound spec, Protocol protocol, ShadowsocksCipher cipher) {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    String tag() {
        return spec.getTag();
    }

    /** The account this credential gets here, or a permanent refusal naming what does not fit. */
    Account account(XrayCredential credential) throws EngineException {
        String flow = credential.getFlow();
        if (protocol != Protocol.VLESS && !flow.isEmpty()) {
            throw refusal("flow " + flow + " is for VLESS, and inbound " + tag() + " is " + protocol.wire());
        }
        return switch (protocol) {
            case VMESS -> Account.vmess(uuid(credential));
            case VLESS -> {
                if (!flow.isEmpty() && !flow.equals(spec.getFlow())) {
                    throw refusal("flow " + flow + " does not match inbound " + tag() + "'s flow '"
                            + spec.getFlow() + "'");
                }
                yield Account.vless(uuid(credential), spec.getFlow());
            }
            case TROJAN -> Account.trojan(password(credential));
            case SHADOWSOCKS -> Account.shadowsocks(password(credential), cipher);
        };
    }

    private String uuid(XrayCredential credential) throws EngineException {
        if (!UUID.matcher(credential.getUuid()).matches()) {
            throw refusal("'" + credential.getUuid() + "' is not a UUID, which " + protocol.wire() + " needs");
        }
        return credential.getUuid().toLowerCase(Locale.ROOT);
    }

    private String password(XrayCredential credential) throws EngineException {
        if (credential.getPassword().isEmpty()) {
            throw refusal("no password, which " + protocol.wire() + " needs");
        }
        return credential.getPassword();
    }

    private static EngineException refusal(String reason) {
        return new EngineException(reason, true);
    }
}

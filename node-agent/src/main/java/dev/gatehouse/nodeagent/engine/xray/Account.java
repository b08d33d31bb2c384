package dev.gatehouse.nodeagent.engine.xray;

/**
 * One user's account on one inbound, in flavour-neutral terms; the API classes encode it as their
 * core's {@code TypedMessage}. Only the fields of {@code protocol} are set, the others are empty.
 *
 * @param id       VMess and VLESS: the user's UUID
 * @param flow     VLESS: the inbound's flow ("" or xtls-rprx-vision)
 * @param password Trojan and Shadowsocks
 * @param cipher   Shadowsocks: the inbound's method; null otherwise
 */
record Account(Protocol protocol, String id, String flow, String password, ShadowsocksCipher cipher) {

    static Account vmess(String id) {
        return new Account(Protocol.VMESS, id, "", "", null);
    }

    static Account vless(String id, String flow) {
        return new Account(Protocol.VLESS, id, flow, "", null);
    }

    static Account trojan(String password) {
        return new Account(Protocol.TROJAN, "", "", password, null);
    }

    static Account shadowsocks(String password, ShadowsocksCipher cipher) {
        return new Account(Protocol.SHADOWSOCKS, "", "", password, cipher);
    }
}

package dev.gatehouse.controlapi.clientconfig;

import java.util.List;
import org.springframework.stereotype.Component;

/** The wg-quick .conf of a WireGuard endpoint, as WireGuard apps import it (file or QR code). */
@Component
class WireGuardConfig {

    String render(ClientEndpoint e) {
        var wg = e.wireguard();
        List<String> dns = wg.dns() == null || wg.dns().isEmpty() ? List.of("1.1.1.1", "1.0.0.1") : wg.dns();
        String host = e.address().contains(":") && !e.address().startsWith("[") ? "[" + e.address() + "]"
                : e.address();
        StringBuilder conf = new StringBuilder()
                .append("# ").append(e.remark()).append('\n')
                .append("[Interface]\n")
                .append("PrivateKey = ").append(e.wgPrivateKey()).append('\n')
                .append("Address = ").append(e.wgAddress()).append(e.wgAddress().contains(":") ? "/128" : "/32")
                .append('\n')
                .append("DNS = ").append(String.join(", ", dns)).append("\n\n")
                .append("[Peer]\n")
                .append("PublicKey = ").append(wg.publicKey()).append('\n');
        if (e.wgPresharedKey() != null) {
            conf.append("PresharedKey = ").append(e.wgPresharedKey()).append('\n');
        }
        conf.append("AllowedIPs = 0.0.0.0/0, ::/0\n")
                .append("Endpoint = ").append(host).append(':').append(wg.listenPort()).append('\n')
                .append("PersistentKeepalive = ")
                .append(wg.persistentKeepalive() == null ? 25 : wg.persistentKeepalive()).append('\n');
        return conf.toString();
    }
}

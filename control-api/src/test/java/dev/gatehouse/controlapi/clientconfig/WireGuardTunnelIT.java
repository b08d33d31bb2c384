package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.Command;
import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.RealPeers;
import dev.gatehouse.testkit.WireGuardGo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Root and network namespaces: the WireGuard .conf Gatehouse generates brings up a real
 * wireguard-go interface in one namespace that completes a handshake with a server interface in
 * another, and a ping passes through the tunnel. Address and DNS are handled as wg-quick does:
 * the address goes on the interface, the DNS line is for the client's resolver and is left out.
 */
class WireGuardTunnelIT extends ControlApiTest {

    @Test
    void theGeneratedConfCompletesAHandshakeAndPassesAPing() throws Exception {
        RealPeers.require("wg", "wireguard-tools");
        Path dir = Files.createTempDirectory("wg-test");
        String serverKey = Command.run("wg", "genkey").trim();
        String serverPub = Command.withInput(serverKey + "\n", "wg", "pubkey").trim();
        String serverIf = "ghs" + Netns.unique();
        String clientIf = "ghc" + Netns.unique();

        Tenant tenant = newTenant();
        enrolledNode(map("tenant_id", tenant.id(), "name", "wg-node", "address", "10.199.0.1",
                "engines", map("wireguard", map("interface_name", serverIf, "listen_port", 51820,
                        "public_key", serverPub))));
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "wg", "engines", List.of("wireguard")))
                .text("id");
        JsonNode sub = subscribe(tenant, plan).path("subscription");
        String conf = root.get("/users/" + sub.path("user_id").asString() + "/configs").json().path("engines")
                .path("wireguard").get(0).path("wireguard_conf").asString();

        String address = value(conf, "Address");
        String clientKey = value(conf, "PrivateKey");
        String psk = value(conf, "PresharedKey");
        String clientPub = Command.withInput(clientKey + "\n", "wg", "pubkey").trim();

        // Two hosts joined by a veth pair.
        try (Netns server = Netns.create("wgs"); Netns client = Netns.create("wgc")) {
            Netns.link(server, "10.199.0.1/24", client, "10.199.0.2/24");

            // The server, as the node agent will configure it.
            try (WireGuardGo serverWg = WireGuardGo.start(server, serverIf);
                 WireGuardGo clientWg = WireGuardGo.start(client, clientIf)) {
                serverWg.wg("set", serverIf, "private-key", write(dir, "server.key", serverKey).toString(),
                        "listen-port", "51820", "peer", clientPub,
                        "preshared-key", write(dir, "psk", psk).toString(), "allowed-ips", address);
                server.run("ip", "addr", "add", "10.66.0.1/16", "dev", serverIf);
                server.run("ip", "link", "set", serverIf, "up");

                // The client, from the generated conf.
                clientWg.wg("setconf", clientIf, write(dir, "client.conf", stripWgQuickFields(conf)).toString());
                client.run("ip", "addr", "add", address, "dev", clientIf);
                client.run("ip", "link", "set", clientIf, "up");
                client.run("ip", "route", "add", "10.66.0.0/16", "dev", clientIf);

                // The first packet starts the handshake; then three pings must all pass.
                client.attempt("ping", "-c", "1", "-W", "5", "10.66.0.1");
                assertThat(client.run("ping", "-c", "3", "-W", "3", "10.66.0.1")).contains("3 received");
                String handshakes = clientWg.wg("show", clientIf, "latest-handshakes");
                assertThat(Long.parseLong(handshakes.trim().split("\\s+")[1])).isPositive();
            }
        }
    }

    /** What wg-quick does before handing a conf to wg: Address, DNS, MTU and the like are its own. */
    static String stripWgQuickFields(String conf) {
        StringBuilder out = new StringBuilder();
        for (String line : conf.split("\n")) {
            String key = line.contains("=") ? line.substring(0, line.indexOf('=')).trim() : "";
            if (!List.of("Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig")
                    .contains(key)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String value(String conf, String key) {
        for (String line : conf.split("\n")) {
            if (line.startsWith(key + " = ")) {
                return line.substring(key.length() + 3).trim();
            }
        }
        throw new AssertionError(key + " missing in\n" + conf);
    }

    private static Path write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content + (content.endsWith("\n") ? "" : "\n"));
        return file;
    }
}

package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Root and network namespaces: the WireGuard .conf Gatehouse generates brings up a real
 * wireguard-go interface in one namespace that completes a handshake with a server interface in
 * another, and a ping passes through the tunnel. Address and DNS are handled as wg-quick does:
 * the address goes on the interface, the DNS line is for the client's resolver and is left out.
 */
class WireGuardTunnelIT extends ControlApiTest {

    private final String suffix = HexFormat.of().formatHex(new byte[] {
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private final String serverNs = "ghwg-s-" + suffix;
    private final String clientNs = "ghwg-c-" + suffix;
    private final String serverIf = "ghs" + suffix;
    private final String clientIf = "ghc" + suffix;
    private final List<Process> daemons = new ArrayList<>();
    private Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        run(false, "ip", "netns", "del", serverNs);
        run(false, "ip", "netns", "del", clientNs);
    }

    @Test
    void theGeneratedConfCompletesAHandshakeAndPassesAPing() throws Exception {
        RealPeers.require("wireguard-go", "wireguard-go");
        RealPeers.require("wg", "wireguard-tools");
        RealPeers.require("ip", "iproute2");
        dir = Files.createTempDirectory("wg-test");
        String serverKey = run(true, "wg", "genkey").trim();
        String serverPub = runWithInput(serverKey + "\n", "wg", "pubkey").trim();

        Tenant tenant = newTenant();
        assertThat(root.post("/nodes", map("tenant_id", tenant.id(), "name", "wg-node", "address", "10.199.0.1",
                "engines", map("wireguard", map("interface_name", serverIf, "listen_port", 51820,
                        "public_key", serverPub)))).status()).isEqualTo(201);
        String plan = root.post("/plans", map("tenant_id", tenant.id(), "name", "wg", "engines", List.of("wireguard")))
                .text("id");
        JsonNode sub = subscribe(tenant, plan).path("subscription");
        String conf = root.get("/users/" + sub.path("user_id").asString() + "/configs").json().path("engines")
                .path("wireguard").get(0).path("wireguard_conf").asString();

        String address = value(conf, "Address");
        String clientKey = value(conf, "PrivateKey");
        String psk = value(conf, "PresharedKey");
        String clientPub = runWithInput(clientKey + "\n", "wg", "pubkey").trim();

        // Two hosts joined by a veth pair.
        run(true, "ip", "netns", "add", serverNs);
        run(true, "ip", "netns", "add", clientNs);
        run(true, "ip", "link", "add", "ghv-s" + suffix, "type", "veth", "peer", "name", "ghv-c" + suffix);
        run(true, "ip", "link", "set", "ghv-s" + suffix, "netns", serverNs);
        run(true, "ip", "link", "set", "ghv-c" + suffix, "netns", clientNs);
        run(true, "ip", "-n", serverNs, "addr", "add", "10.199.0.1/24", "dev", "ghv-s" + suffix);
        run(true, "ip", "-n", clientNs, "addr", "add", "10.199.0.2/24", "dev", "ghv-c" + suffix);
        for (String[] ns : new String[][] {{serverNs, "ghv-s" + suffix}, {clientNs, "ghv-c" + suffix}}) {
            run(true, "ip", "-n", ns[0], "link", "set", ns[1], "up");
            run(true, "ip", "-n", ns[0], "link", "set", "lo", "up");
        }

        // The server, as the node agent will configure it.
        startWireGuard(serverNs, serverIf);
        Path serverKeyFile = write("server.key", serverKey);
        Path pskFile = write("psk", psk);
        run(true, "ip", "netns", "exec", serverNs, "wg", "set", serverIf, "private-key", serverKeyFile.toString(),
                "listen-port", "51820", "peer", clientPub, "preshared-key", pskFile.toString(),
                "allowed-ips", address);
        run(true, "ip", "-n", serverNs, "addr", "add", "10.66.0.1/16", "dev", serverIf);
        run(true, "ip", "-n", serverNs, "link", "set", serverIf, "up");

        // The client, from the generated conf.
        startWireGuard(clientNs, clientIf);
        Path stripped = write("client.conf", stripWgQuickFields(conf));
        run(true, "ip", "netns", "exec", clientNs, "wg", "setconf", clientIf, stripped.toString());
        run(true, "ip", "-n", clientNs, "addr", "add", address, "dev", clientIf);
        run(true, "ip", "-n", clientNs, "link", "set", clientIf, "up");
        run(true, "ip", "-n", clientNs, "route", "add", "10.66.0.0/16", "dev", clientIf);

        // The first packet starts the handshake; then three pings must all pass.
        run(false, "ip", "netns", "exec", clientNs, "ping", "-c", "1", "-W", "5", "10.66.0.1");
        String ping = run(true, "ip", "netns", "exec", clientNs, "ping", "-c", "3", "-W", "3", "10.66.0.1");
        assertThat(ping).contains("3 received");
        String handshakes = run(true, "ip", "netns", "exec", clientNs, "wg", "show", clientIf, "latest-handshakes");
        assertThat(Long.parseLong(handshakes.trim().split("\\s+")[1])).isPositive();
    }

    private void startWireGuard(String ns, String ifname) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "wireguard-go", "-f", ifname)
                .redirectErrorStream(true).redirectOutput(dir.resolve(ifname + ".log").toFile()).start();
        daemons.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!run(false, "ip", "-n", ns, "link", "show", ifname).contains(ifname)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("wireguard-go did not start: "
                        + Files.readString(dir.resolve(ifname + ".log")));
            }
            Thread.sleep(100);
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

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content + (content.endsWith("\n") ? "" : "\n"));
        return file;
    }

    private static String run(boolean mustSucceed, String... command) throws Exception {
        return runWithInput(null, mustSucceed, command);
    }

    private static String runWithInput(String input, String... command) throws Exception {
        return runWithInput(input, true, command);
    }

    private static String runWithInput(String input, boolean mustSucceed, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        if (mustSucceed && (!done || p.exitValue() != 0)) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}

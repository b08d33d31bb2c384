package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.WireGuardGo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A person's WireGuard device: its own namespace with a wireguard-go interface set up from the
 * configuration control-api handed out, as wg-quick would, with a route to the node's tunnel address
 * only. Its link to the node is a veth pair straight into the node's namespace.
 */
public final class WireGuardPeer implements AutoCloseable {

    private final Netns ns;
    private final WireGuardGo wg;

    private WireGuardPeer(Netns ns, WireGuardGo wg) {
        this.ns = ns;
        this.wg = wg;
    }

    /**
     * @param conf       the wg-quick configuration from {@code /users/{id}/configs}
     * @param linkSubnet a /24 for the link: the peer is .1, the node's end .2
     * @param tunnelHost the node's address inside the tunnel (its interface address)
     */
    public static WireGuardPeer start(EdgeNode node, String conf, String linkSubnet, String tunnelHost)
            throws Exception {
        Netns ns = Netns.create("peer");
        try {
            Netns.link(ns, linkSubnet + ".1/24", node.ns(), linkSubnet + ".2/24");
            ns.run("ip", "route", "add", node.address() + "/32", "via", linkSubnet + ".2");
            String ifname = "ghp" + Netns.unique();
            WireGuardGo wg = WireGuardGo.start(ns, ifname);
            Path file = Files.createTempFile("e2e-peer", ".conf");
            Files.writeString(file, withoutWgQuickFields(conf));
            wg.wg("setconf", ifname, file.toString());
            Files.delete(file);
            ns.run("ip", "addr", "add", value(conf, "Address").split(",")[0].trim(), "dev", ifname);
            ns.run("ip", "link", "set", ifname, "up");
            ns.run("ip", "route", "add", tunnelHost + "/32", "dev", ifname);
            return new WireGuardPeer(ns, wg);
        } catch (Exception e) {
            ns.killProcesses();
            ns.close();
            throw e;
        }
    }

    public Netns ns() {
        return ns;
    }

    /** What wg-quick takes for itself before handing the rest to wg. */
    static String withoutWgQuickFields(String conf) {
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
            if (line.startsWith(key + " = ") || line.startsWith(key + "=")) {
                return line.substring(line.indexOf('=') + 1).trim();
            }
        }
        throw new AssertionError(key + " missing in\n" + conf);
    }

    @Override
    public void close() {
        wg.close();
        ns.killProcesses();
        ns.close();
    }
}

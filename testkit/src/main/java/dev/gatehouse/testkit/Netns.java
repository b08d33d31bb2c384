package dev.gatehouse.testkit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace of a test (root only), with a unique name so that runs never meet, removed on
 * close. A leftover of a killed run is harmless: names never repeat.
 */
public final class Netns implements AutoCloseable {

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** A new namespace named {@code gh<prefix>-<random>}, with its loopback up. */
    public static Netns create(String prefix) {
        RealPeers.require("ip", "iproute2");
        Netns ns = new Netns("gh" + prefix + "-" + unique());
        Command.run("ip", "netns", "add", ns.name);
        Command.run("ip", "-n", ns.name, "link", "set", "lo", "up");
        return ns;
    }

    /** Joins two namespaces with a veth pair and gives each end an address (CIDR). */
    public static void link(Netns a, String addressA, Netns b, String addressB) {
        String suffix = unique();
        String endA = "ghva" + suffix;
        String endB = "ghvb" + suffix;
        Command.run("ip", "link", "add", endA, "type", "veth", "peer", "name", endB);
        Command.run("ip", "link", "set", endA, "netns", a.name);
        Command.run("ip", "link", "set", endB, "netns", b.name);
        Command.run("ip", "-n", a.name, "addr", "add", addressA, "dev", endA);
        Command.run("ip", "-n", b.name, "addr", "add", addressB, "dev", endB);
        Command.run("ip", "-n", a.name, "link", "set", endA, "up");
        Command.run("ip", "-n", b.name, "link", "set", endB, "up");
    }

    /**
     * Joins this namespace to the host's with a veth pair, the host's end addressed {@code hostCidr}
     * and this end {@code nsCidr}, and routes everything else from here through the host: a node in
     * its namespace reaches the host's services at any of the host's addresses.
     */
    public void linkToHost(String hostCidr, String nsCidr) {
        String suffix = unique();
        String host = "ghh" + suffix;
        String inside = "ghn" + suffix;
        Command.run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
        Command.run("ip", "link", "set", inside, "netns", name);
        Command.run("ip", "addr", "add", hostCidr, "dev", host);
        Command.run("ip", "link", "set", host, "up");
        Command.run("ip", "-n", name, "addr", "add", nsCidr, "dev", inside);
        Command.run("ip", "-n", name, "link", "set", inside, "up");
        Command.run("ip", "-n", name, "route", "add", "default", "via", hostCidr.substring(0, hostCidr.indexOf('/')));
    }

    /** Ends every process still running in the namespace (a core or wireguard-go its agent started). */
    public void killProcesses() {
        for (String pid : Command.attempt("ip", "netns", "pids", name).trim().split("\\s+")) {
            if (pid.matches("\\d+")) {
                Command.attempt("kill", "-9", pid);
            }
        }
    }

    public String name() {
        return name;
    }

    /** The command, prefixed to run inside this namespace. */
    public String[] inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full.toArray(String[]::new);
    }

    /** Runs the command inside the namespace; it must exit 0. */
    public String run(String... command) {
        return Command.run(inside(command));
    }

    /** Runs the command inside the namespace and returns its output whatever its exit status. */
    public String attempt(String... command) {
        return Command.attempt(inside(command));
    }

    /** Six hex digits, for names that must be unique and short (interface names stop at 15 characters). */
    public static String unique() {
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        Command.attempt("ip", "netns", "del", name);
    }
}

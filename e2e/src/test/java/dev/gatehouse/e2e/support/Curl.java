package dev.gatehouse.e2e.support;

import dev.gatehouse.testkit.Netns;
import dev.gatehouse.testkit.RealPeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A person's traffic: curl downloading and uploading known amounts, each on a new connection, from
 * the host through a SOCKS proxy (a v2ray client) or from inside a namespace (a WireGuard peer).
 */
public final class Curl {

    private static final Path PAYLOAD;

    static {
        try {
            PAYLOAD = Files.createTempFile("e2e-upload", ".bin");
            byte[] bytes = new byte[256 * 1024];
            new java.util.Random(3).nextBytes(bytes);
            Files.write(PAYLOAD, bytes);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Netns ns;
    private final String socks;

    private Curl(Netns ns, String socks) {
        this.ns = ns;
        this.socks = socks;
    }

    /** Through a SOCKS proxy on the host (host:port). */
    public static Curl viaSocks(String socks) {
        RealPeers.require("curl", "curl");
        return new Curl(null, socks);
    }

    /** From inside a namespace, routed as its routes say. */
    public static Curl inside(Netns ns) {
        RealPeers.require("curl", "curl");
        return new Curl(ns, null);
    }

    /** Downloads {@code bytes} from the server; returns how many arrived (0 when cut off). */
    public long download(String server, long bytes) throws IOException, InterruptedException {
        String out = curl("-o", "/dev/null", "-w", "%{size_download}", "http://" + server + "/down?bytes=" + bytes);
        return out.matches("\\d+") ? Long.parseLong(out) : 0;
    }

    /** Uploads 256 KiB; true when the server took it all. */
    public boolean upload(String server) throws IOException, InterruptedException {
        return "204".equals(curl("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + PAYLOAD,
                "http://" + server + "/up"));
    }

    private String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (ns != null) {
            command.addAll(List.of("ip", "netns", "exec", ns.name()));
        }
        command.addAll(List.of("curl", "-s", "--max-time", "4", "-H", "Connection: close"));
        if (socks != null) {
            command.addAll(List.of("--socks5-hostname", socks));
        }
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "";
        }
        return out;
    }
}

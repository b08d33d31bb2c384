package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.ControlApiTest;
import dev.gatehouse.testkit.RealPeers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The page a browser gets at /sub/{token}, opened in real headless Chromium: it renders the usage
 * figures and a QR code per config without console errors (a CSP violation would be one), and a
 * screenshot is kept in target/screenshots.
 */
class SubscriptionPageChromiumIT extends ControlApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void thePageRendersUsageAndQrCodesWithoutConsoleErrors() throws Exception {
        Path chromium = RealPeers.require("chromium", "chromium");
        Tenant tenant = newTenant();
        enrolledNode(map("tenant_id", tenant.id(), "name", "ams-1", "address", "ams1.example.net",
                "engines", map(
                        "xray", map("inbounds", List.of(map("tag", "vless-in", "protocol", "vless", "port", 443)))
                        , "wireguard", map("interface_name", "wg0", "listen_port", 51820,
                                "public_key", "hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4="))));
        JsonNode created = subscribe(tenant, plan(tenant, 10L * 1024 * 1024 * 1024));
        jdbc.sql("UPDATE subscriptions SET used_bytes_up = 536870912, used_bytes_down = 1073741824 WHERE id = ?")
                .param(UUID.fromString(created.path("subscription").path("id").asString())).update();
        String url = "http://127.0.0.1:" + port + "/sub/" + created.path("subscription_token").asString()
                + "?format=html";

        Path profile = Files.createTempDirectory("chromium-profile");
        Path screenshots = Path.of(System.getenv("GATEHOUSE_MODULE_DIR"), "target", "screenshots");
        Files.createDirectories(screenshots);
        Path screenshot = screenshots.resolve("subscription-page.png");

        Result dom = chromium(chromium, profile, "--dump-dom", url);
        assertThat(dom.stdout()).contains("id=\"upload\">512.00 MiB<", "id=\"download\">1.00 GiB<",
                "id=\"total\">10.00 GiB<", "vless://");
        assertThat(dom.stdout().split("<svg", -1)).hasSize(3);
        assertThat(consoleErrors(dom.stderr())).isEmpty();

        Files.deleteIfExists(screenshot);
        Result shot = chromium(chromium, profile, "--screenshot=" + screenshot, "--window-size=900,1600", url);
        assertThat(consoleErrors(shot.stderr())).isEmpty();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    private record Result(String stdout, String stderr) {
    }

    private static Result chromium(Path binary, Path profile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("chromium", ".out");
        Path err = Files.createTempFile("chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish: " + Files.readString(err));
        }
        return new Result(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Console messages of the page that are errors, including refused resources (CSP). */
    private static List<String> consoleErrors(String log) {
        return log.lines().filter(l -> l.contains("CONSOLE") || l.contains("Refused to"))
                .filter(l -> l.contains("Uncaught") || l.contains("Refused to") || l.contains("ERROR:CONSOLE")
                        || l.toLowerCase(java.util.Locale.ROOT).contains("error"))
                .toList();
    }
}

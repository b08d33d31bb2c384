package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.nodeagent.engine.EngineDriver.AddResult;
import dev.gatehouse.nodeagent.engine.EngineDriver.Applied;
import dev.gatehouse.nodeagent.engine.EngineDriver.Counters;
import dev.gatehouse.nodeagent.engine.EngineDriver;
import dev.gatehouse.nodeagent.engine.EngineException;
import dev.gatehouse.proto.agent.v1.Credential;
import dev.gatehouse.proto.agent.v1.CredentialRef;
import dev.gatehouse.proto.agent.v1.Engine;
import dev.gatehouse.proto.agent.v1.NodeConfig;
import dev.gatehouse.proto.agent.v1.XrayCredential;
import dev.gatehouse.proto.agent.v1.XrayInbound;
import dev.gatehouse.testkit.Ports;
import dev.gatehouse.testkit.RealPeers;
import dev.gatehouse.testkit.V2rayProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The driver against the real V2Fly core (Debian's v2ray 4.34): it runs the core from a node
 * configuration, and a real v2ray client fetches a page on loopback through the users it adds, so
 * each check is what a person's client would see.
 */
class V2rayDriverIT {

    private static final int PAGE_BYTES = 100_000;
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static HttpServer web;

    @TempDir
    Path folder;
    private int vmessPort;
    private int vlessPort;
    private XrayDriver driver;
    private final List<V2rayProcess> clients = new ArrayList<>();

    @BeforeAll
    static void serveAPage() throws IOException {
        byte[] page = new byte[PAGE_BYTES];
        new Random(7).nextBytes(page);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/page", exchange -> {
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        });
        web.start();
    }

    @AfterAll
    static void stopServing() {
        web.stop(0);
    }

    @BeforeEach
    void startCore() throws EngineException {
        vmessPort = Ports.free();
        vlessPort = Ports.free();
        driver = new XrayDriver(settings());
        assertThat(driver.configure(twoInbounds())).as("first start").isTrue();
    }

    @AfterEach
    void stopEverything() throws IOException {
        for (V2rayProcess client : clients) {
            client.close();
        }
        driver.close();
    }

    @Test
    void configureRestartsTheCoreOnlyWhenItsInboundsChange() throws Exception {
        long pid = driver.corePid().orElseThrow();
        NodeConfig same = twoInbounds();

        assertThat(driver.configure(same)).isFalse();
        assertThat(driver.corePid()).hasValue(pid);
        assertThat(driver.generation()).isEqualTo(1);

        NodeConfig withTls = same.toBuilder().addXrayInbounds(inbound("tls-in", "vless", Ports.free()).toBuilder()
                .setSecurity("tls")).build();
        assertThat(driver.configure(withTls)).as("a refused inbound changes nothing").isFalse();
        assertThat(driver.refusedInbounds()).containsOnlyKeys("tls-in");
        assertThat(driver.refusedInbounds().get("tls-in")).contains("certificate and key");
        assertPermanent(credential("tls-in"), "inbound tls-in is not served: security tls needs");

        int wsPort = Ports.free();
        assertThat(driver.configure(same.toBuilder().addXrayInbounds(inbound("ws-in", "vless", wsPort).toBuilder()
                .setNetwork("ws").setWsPath("/tunnel")).build())).isTrue();
        assertThat(driver.generation()).isEqualTo(2);
        assertThat(driver.corePid().orElseThrow()).isNotEqualTo(pid);
        assertThat(Ports.listening(wsPort)).isTrue();
        assertThat(driver.info().flavour()).isEqualTo("v2fly");
        assertThat(driver.info().version()).isEqualTo("4.34.0");
    }

    @Test
    void usersCarryTrafficCountedPerCredentialUntilRemoved() throws Exception {
        Credential vmess = credential("vmess-in");
        Credential vless = credential("vless-in");
        assertThat(driver.add(vmess)).isEqualTo(Applied.APPLIED);
        assertThat(driver.add(vless)).isEqualTo(Applied.APPLIED);
        assertThat(driver.add(vmess)).as("added twice").isEqualTo(Applied.ALREADY_PRESENT);

        int vmessSocks = client("vmess", vmessPort, vmess);
        assertThat(fetch(vmessSocks)).isEqualTo(PAGE_BYTES);
        await("the VMess user's bytes are counted", () -> down(vmess) > PAGE_BYTES);
        assertThat(driver.counters().get(vmess.getCredentialId()).up()).isPositive();
        assertThat(down(vless)).as("the VLESS user sent nothing yet").isZero();

        int vlessSocks = client("vless", vlessPort, vless);
        assertThat(fetch(vlessSocks)).isEqualTo(PAGE_BYTES);
        await("the VLESS user's bytes are counted", () -> down(vless) > PAGE_BYTES);
        assertThat(driver.counters().get(vless.getCredentialId()).up()).isPositive();

        assertThat(driver.remove(ref(vmess))).isEqualTo(Applied.APPLIED);
        await("the removed VMess user is refused", () -> !fetches(vmessSocks));
        assertThat(driver.remove(ref(vmess))).as("removed twice").isEqualTo(Applied.NOT_FOUND);
        assertThat(fetch(vlessSocks)).as("the other user still passes").isEqualTo(PAGE_BYTES);

        assertThat(driver.remove(ref(vless))).isEqualTo(Applied.APPLIED);
        await("the removed VLESS user is refused", () -> !fetches(vlessSocks));
    }

    @Test
    void aCredentialNamingNoInboundIsServedOnEveryInbound() throws Exception {
        Credential everywhere = credential();

        assertThat(driver.add(everywhere)).isEqualTo(Applied.APPLIED);
        assertThat(fetch(client("vless", vlessPort, everywhere))).isEqualTo(PAGE_BYTES);
        assertThat(driver.add(everywhere)).isEqualTo(Applied.ALREADY_PRESENT);
        assertThat(driver.remove(ref(everywhere))).isEqualTo(Applied.APPLIED);
        assertThat(driver.remove(ref(everywhere))).isEqualTo(Applied.NOT_FOUND);
    }

    @Test
    void whatDoesNotFitIsRefusedForGoodAndTheCoreLivesOn() throws Exception {
        long pid = driver.corePid().orElseThrow();
        Credential vmess = credential("vmess-in");
        Credential visionOnVmess = vmess.toBuilder()
                .setXray(vmess.getXray().toBuilder().setFlow("xtls-rprx-vision")).build();
        Credential unknownTag = credential("nowhere-in");
        Credential vless = credential("vless-in");
        Credential malformed = vless.toBuilder().setXray(vless.getXray().toBuilder().setUuid("not-a-uuid")).build();

        assertPermanent(visionOnVmess, "VLESS");
        assertPermanent(unknownTag, "nowhere-in");
        assertPermanent(malformed, "not-a-uuid");

        assertThat(driver.uptime().toSeconds()).isNotNegative();
        assertThat(driver.corePid()).hasValue(pid);
        assertThat(driver.generation()).isEqualTo(1);
    }

    @Test
    void aBulkAddServesHundredsOfUsersWithTheAnswersOfSingleAdds() throws Exception {
        long pid = driver.corePid().orElseThrow();
        Credential present = credential("vless-in");
        driver.add(present);
        List<Credential> users = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            users.add(credential(i % 2 == 0 ? "vmess-in" : "vless-in"));
        }
        Credential everywhere = credential();
        Credential malformed = present.toBuilder().setCredentialId(UUID.randomUUID().toString())
                .setXray(present.getXray().toBuilder().setUuid("not-a-uuid")).build();
        Credential unknownTag = credential("nowhere-in");
        List<Credential> all = new ArrayList<>(users);
        all.addAll(List.of(present, everywhere, malformed, unknownTag));

        Map<String, AddResult> results = driver.addAll(all);

        assertThat(results.keySet()).containsExactlyElementsOf(all.stream().map(Credential::getCredentialId).toList());
        for (Credential user : users) {
            assertThat(results.get(user.getCredentialId())).isEqualTo(AddResult.of(Applied.APPLIED));
        }
        assertThat(results.get(everywhere.getCredentialId())).isEqualTo(AddResult.of(Applied.APPLIED));
        assertThat(results.get(present.getCredentialId())).isEqualTo(AddResult.of(Applied.ALREADY_PRESENT));
        assertThat(results.get(malformed.getCredentialId())).satisfies(r -> {
            assertThat(r.permanent()).isTrue();
            assertThat(r.failure()).contains("not-a-uuid");
        });
        assertThat(results.get(unknownTag.getCredentialId())).satisfies(r -> {
            assertThat(r.permanent()).isTrue();
            assertThat(r.failure()).contains("nowhere-in");
        });

        assertThat(fetch(client("vmess", vmessPort, users.get(0)))).isEqualTo(PAGE_BYTES);
        assertThat(fetch(client("vless", vlessPort, users.get(499)))).isEqualTo(PAGE_BYTES);
        assertThat(fetch(client("vless", vlessPort, everywhere))).isEqualTo(PAGE_BYTES);
        assertThat(driver.addAll(users).values()).as("added twice")
                .containsOnly(AddResult.of(Applied.ALREADY_PRESENT));
        assertThat(driver.remove(ref(users.get(250)))).isEqualTo(Applied.APPLIED);
        assertThat(driver.corePid()).as("the core lives on").hasValue(pid);
    }

    @Test
    void aKilledCoreIsStartedAgainAndServesTheUsersAddedAgain() throws Exception {
        Credential user = credential("vmess-in");
        driver.add(user);
        int socks = client("vmess", vmessPort, user);
        for (int i = 0; i < 3; i++) {
            assertThat(fetch(socks)).isEqualTo(PAGE_BYTES);
        }
        await("three pages counted", () -> down(user) > 3L * PAGE_BYTES);
        long pid = driver.corePid().orElseThrow();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("the supervisor started the core again", () -> driver.generation() == 2);

        assertThat(driver.corePid().orElseThrow()).isNotEqualTo(pid);
        assertThat(driver.uptime().toSeconds()).isNotNegative();
        assertThat(driver.counters()).as("a new core counts from zero").doesNotContainKey(user.getCredentialId());
        assertThat(driver.add(user)).as("the new core holds no users").isEqualTo(Applied.APPLIED);
        assertThat(fetch(socks)).isEqualTo(PAGE_BYTES);
        await("one page counted", () -> down(user) > PAGE_BYTES);
        assertThat(down(user)).isLessThan(2L * PAGE_BYTES);
    }

    @Test
    void aTlsInboundPresentsTheConfiguredCertificate() throws Exception {
        Path certificate = folder.resolve("edge.crt");
        Path key = folder.resolve("edge.key");
        selfSigned("edge.test", certificate, key);
        driver.close();
        driver = new XrayDriver(settings().withTls(certificate, key));
        int tlsPort = Ports.free();

        assertThat(driver.configure(config(inbound("tls-ws", "vless", tlsPort).toBuilder().setNetwork("ws")
                .setWsPath("/tunnel").setSecurity("tls").setServerName("edge.test").build()))).isTrue();
        Credential user = credential("tls-ws");
        assertThat(driver.add(user)).isEqualTo(Applied.APPLIED);

        int socks = client("vless", tlsPort, user, """
                {"network": "ws", "wsSettings": {"path": "/tunnel"}, "security": "tls",
                 "tlsSettings": {"serverName": "edge.test", "allowInsecure": true}}""");
        assertThat(fetch(socks)).isEqualTo(PAGE_BYTES);
    }

    @Test
    void aConfigurationTheCoreRefusesChangesNothing() throws Exception {
        driver.close();
        driver = new XrayDriver(settings().withTls(folder.resolve("missing.crt"), folder.resolve("missing.key")));
        assertThat(driver.configure(twoInbounds())).isTrue();
        long pid = driver.corePid().orElseThrow();

        NodeConfig withTls = twoInbounds().toBuilder().addXrayInbounds(inbound("tls-in", "vless", Ports.free())
                .toBuilder().setSecurity("tls")).build();
        assertThatThrownBy(() -> driver.configure(withTls)).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).contains("the core refused its configuration").contains("missing.crt");
        });

        assertThat(driver.corePid()).as("the old core runs on").hasValue(pid);
        assertThat(driver.configure(twoInbounds())).isFalse();
        assertThat(driver.generation()).isEqualTo(1);
    }

    @Test
    void aCoreLeftRunningByAKilledAgentIsAdoptedWithItsUsersAndCounters() throws Exception {
        Credential user = credential("vless-in");
        driver.add(user);
        int socks = client("vless", vlessPort, user);
        assertThat(fetch(socks)).isEqualTo(PAGE_BYTES);
        long pid = driver.corePid().orElseThrow();
        long counted = total(driver.counters().get(user.getCredentialId()));

        // The agent dies without closing anything; the next one finds the core still serving.
        XrayDriver next = new XrayDriver(settings());
        try {
            assertThat(next.corePid()).hasValue(pid);
            assertThat(next.configure(twoInbounds())).as("the same inbounds: no restart").isFalse();
            assertThat(next.generation()).as("adopted, not started").isZero();
            assertThat(next.add(user)).isEqualTo(Applied.ALREADY_PRESENT);
            assertThat(total(next.counters().get(user.getCredentialId()))).isEqualTo(counted);
            assertThat(fetch(socks)).as("the person was never cut off").isEqualTo(PAGE_BYTES);
        } finally {
            XrayDriver killed = driver;
            driver = next;
            killed.detach();
        }
    }

    private static long total(EngineDriver.Counters counters) {
        return counters == null ? 0 : counters.up() + counters.down();
    }

    @Test
    void aLeftoverCoreWhoseApiDoesNotAnswerIsStoppedBeforeANewOneStarts() throws Exception {
        driver.close();
        Path core = folder.resolve("core");
        // A process that names the configuration but is no core: nothing answers on its API port.
        Process leftover = new ProcessBuilder("sleep", "600", core.resolve("core.json").toString()).start();
        try {
            Files.writeString(core.resolve("core.pid"), Long.toString(leftover.pid()));
            driver = new XrayDriver(settings());
            assertThat(leftover.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(driver.configure(config(inbound("vmess-in", "vmess", vmessPort)))).isTrue();
            assertThat(driver.add(credential("vmess-in"))).isEqualTo(Applied.APPLIED);
        } finally {
            leftover.destroyForcibly();
        }
    }

    @Test
    void usersCannotReachTheCoresApiThroughTheirTunnel() throws Exception {
        Credential user = credential("vless-in");
        driver.add(user);
        int socks = client("vless", vlessPort, user);
        assertThat(fetch(socks)).isEqualTo(PAGE_BYTES);

        try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks)))) {
            socket.setSoTimeout(1000);
            socket.connect(new InetSocketAddress("127.0.0.1", apiPort()), 2000);
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(firstByte(socket)).as("an answer from the API").isEqualTo(-1);
        }
    }

    @Test
    void anExternalCoreIsDrivenThroughItsApiAddressAlone() throws Exception {
        try (XrayDriver external = new XrayDriver(CoreFlavour.V2FLY, "127.0.0.1", apiPort())) {
            NodeConfig panel = config(inbound("vmess-in", "vmess", vmessPort), inbound("ghost-in", "vless", Ports.free()));
            assertThat(external.configure(panel)).as("an external core is never started").isFalse();
            Credential user = credential("vmess-in");

            assertThat(external.add(user)).isEqualTo(Applied.APPLIED);
            assertThat(fetch(client("vmess", vmessPort, user))).isEqualTo(PAGE_BYTES);
            assertPermanent(external, credential("ghost-in"), "the core has no such inbound");
            assertThat(external.served()).as("V2Fly cannot list users").isEmpty();
            assertThat(external.counters()).containsKey(user.getCredentialId());
            assertThat(external.remove(ref(user))).as("gone from vmess-in; ghost-in holds nobody").isEqualTo(Applied.APPLIED);
            assertThat(external.remove(ref(user))).isEqualTo(Applied.NOT_FOUND);
            assertThat(external.info().flavour()).isEqualTo("v2fly");
            await("the core has run two seconds", () -> driver.uptime().toSeconds() >= 2);
            assertThat(external.generation()).isZero();

            // The operator's core restarts: its uptime starts over, which the external driver notices.
            long before = driver.generation();
            ProcessHandle.of(driver.corePid().orElseThrow()).orElseThrow().destroyForcibly();
            await("the core runs again", () -> driver.generation() > before);
            await("the restart is seen through the API", () -> external.generation() == 1);
        }
        assertThat(driver.uptime().toSeconds()).as("closing an external driver leaves the core running").isNotNegative();
    }

    private void assertPermanent(Credential credential, String reasonPart) {
        assertPermanent(driver, credential, reasonPart);
    }

    private static void assertPermanent(XrayDriver driver, Credential credential, String reasonPart) {
        assertThatThrownBy(() -> driver.add(credential)).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).contains(reasonPart);
        });
    }

    /** The API port the driver chose, as its rendered configuration says. */
    private int apiPort() {
        return JSON.readTree(folder.resolve("core/core.json").toFile()).path("inbounds").get(0).path("port").asInt();
    }

    private long down(Credential credential) throws EngineException {
        Counters counters = driver.counters().get(credential.getCredentialId());
        return counters == null ? 0 : counters.down();
    }

    private CoreSettings settings() {
        return CoreSettings.of(CoreFlavour.V2FLY, folder.resolve("core"))
                .withBinary(RealPeers.require("v2ray", "v2ray")).withListen("127.0.0.1");
    }

    private NodeConfig twoInbounds() {
        return config(inbound("vmess-in", "vmess", vmessPort), inbound("vless-in", "vless", vlessPort));
    }

    private int client(String protocol, int serverPort, Credential credential) throws Exception {
        return client(protocol, serverPort, credential, "{\"network\": \"tcp\"}");
    }

    /** Starts a v2ray client with a SOCKS inbound that tunnels to this user; returns the SOCKS port. */
    private int client(String protocol, int serverPort, Credential credential, String streamSettings) throws Exception {
        int socks = Ports.free();
        String user = protocol.equals("vmess")
                ? "{\"id\": \"%s\", \"alterId\": 0, \"security\": \"auto\"}".formatted(credential.getXray().getUuid())
                : "{\"id\": \"%s\", \"encryption\": \"none\"}".formatted(credential.getXray().getUuid());
        clients.add(V2rayProcess.start("""
                {"log": {"loglevel": "warning"},
                 "inbounds": [{"listen": "127.0.0.1", "port": %d, "protocol": "socks", "settings": {"udp": false}}],
                 "outbounds": [{"protocol": "%s", "settings": {"vnext": [
                     {"address": "127.0.0.1", "port": %d, "users": [%s]}]}, "streamSettings": %s}]}
                """.formatted(socks, protocol, serverPort, user, streamSettings), socks));
        return socks;
    }

    /**
     * Fetches the page over a new connection through the SOCKS port and returns the body's length.
     * It reads Content-Length bytes instead of waiting for the end of the stream, which the cores
     * delay by seconds after one side closed.
     */
    private static int fetch(int socksPort) throws IOException {
        try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort)))) {
            socket.setSoTimeout(3000);
            socket.connect(new InetSocketAddress("127.0.0.1", web.getAddress().getPort()), 2000);
            socket.getOutputStream().write("GET /page HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = head(in);
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException("no page: " + head.lines().findFirst().orElse("(nothing)"));
            }
            int length = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                    .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
            return in.readNBytes(length).length;
        }
    }

    /** The response's status line and headers, up to the empty line. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The first byte the peer sends, or -1 when it closes or stays silent. */
    private static int firstByte(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A self-signed certificate for {@code name} and its key, as PEM files. */
    private static void selfSigned(String name, Path certificate, Path key) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, name)))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        Files.writeString(certificate, pem(holder));
        Files.writeString(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static boolean fetches(int socksPort) {
        try {
            return fetch(socksPort) == PAGE_BYTES;
        } catch (IOException e) {
            return false;
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static NodeConfig config(XrayInbound... inbounds) {
        return NodeConfig.newBuilder().addAllXrayInbounds(List.of(inbounds)).build();
    }

    private static XrayInbound inbound(String tag, String protocol, int port) {
        return XrayInbound.newBuilder().setTag(tag).setProtocol(protocol).setPort(port).setNetwork("tcp")
                .setSecurity("none").build();
    }

    private static Credential credential(String... tags) {
        String id = UUID.randomUUID().toString();
        return Credential.newBuilder().setCredentialId(id).setUserId(UUID.randomUUID().toString())
                .setSubscriptionId(UUID.randomUUID().toString()).setEngine(Engine.ENGINE_XRAY)
                .setXray(XrayCredential.newBuilder().setUuid(UUID.randomUUID().toString()).setEmail(id)
                        .addAllInboundTags(List.of(tags)))
                .build();
    }

    private static CredentialRef ref(Credential credential) {
        return CredentialRef.newBuilder().setCredentialId(credential.getCredentialId())
                .setEngine(Engine.ENGINE_XRAY).setUserId(credential.getUserId()).build();
    }
}

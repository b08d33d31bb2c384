package dev.gatehouse.nodeagent.engine.xray;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealityKeyTest {

    @TempDir
    Path folder;

    private static String url(String hex) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(hex));
    }

    @Test
    void thePublicKeyIsTheX25519OfThePrivateOne() throws Exception {
        // RFC 7748, section 6.1: Alice's key pair.
        Path file = folder.resolve("reality.key");
        Files.writeString(file, url("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a") + "\n");
        RealityKey key = RealityKey.loadOrCreate(file);
        assertThat(key.publicKey()).isEqualTo(url("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aKeyIsMadeOnceKeptPrivateAndNeverPrinted() throws Exception {
        Path file = folder.resolve("reality.key");
        RealityKey made = RealityKey.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(RealityKey.loadOrCreate(file)).isEqualTo(made);
        assertThat(made.publicKey()).matches("[A-Za-z0-9_-]{43}");
        assertThat(made.toString()).doesNotContain(made.privateKey()).contains(made.publicKey());
    }
}

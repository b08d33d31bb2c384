package dev.gatehouse.nodeagent.engine.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceKeyTest {

    @TempDir
    Path state;

    @Test
    void theKeyIsMadeOnceKeptOwnerOnlyAndReadBack() throws IOException {
        Path file = state.resolve("wireguard.key");

        InterfaceKey made = InterfaceKey.loadOrCreate(file);
        InterfaceKey again = InterfaceKey.loadOrCreate(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(WgKeys.isKey(Files.readString(file).strip())).isTrue();
        assertThat(again.publicKey()).isEqualTo(made.publicKey());
        assertThat(made.publicKey()).isNotEqualTo(Files.readString(file).strip());
    }

    /** RFC 7748, section 6.1: Alice's private key gives her public key. */
    @Test
    void thePublicKeyIsTheX25519OneOfThePrivateKey() throws IOException {
        Path file = state.resolve("wireguard.key");
        Files.writeString(file, key("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a") + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        InterfaceKey loaded = InterfaceKey.loadOrCreate(file);

        assertThat(loaded.publicKey()).isEqualTo(key("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aFileThatHoldsNoKeyIsRefusedWithoutQuotingIt() throws IOException {
        Path file = state.resolve("wireguard.key");
        Files.writeString(file, "half-a-secret");

        assertThatThrownBy(() -> InterfaceKey.loadOrCreate(file)).isInstanceOf(IOException.class)
                .hasMessageNotContaining("half-a-secret");
    }

    private static String key(String hex) {
        return WgKeys.encode(HexFormat.of().parseHex(hex));
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.state.StateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interface's private key: made on the node the first time (X25519, as {@code wg genkey} does),
 * kept in a mode 0600 file that {@code wg set private-key} reads directly, so the key never passes
 * through a command line, a log or the panel. Only the public key leaves this class.
 */
final class InterfaceKey {

    private static final Logger log = LoggerFactory.getLogger(InterfaceKey.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final String publicKey;

    private InterfaceKey(Path file, String publicKey) {
        this.file = file;
        this.publicKey = publicKey;
    }

    /** Reads the key in {@code file}, or makes one and writes it there first. */
    static InterfaceKey loadOrCreate(Path file) throws IOException {
        byte[] privateKey = Files.exists(file) ? read(file) : create(file);
        try {
            byte[] publicKey = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(privateKey, 0, publicKey, 0);
            return new InterfaceKey(file.toAbsolutePath(), WgKeys.encode(publicKey));
        } finally {
            Arrays.fill(privateKey, (byte) 0);
        }
    }

    /** The file holding the private key, for {@code wg set IF private-key FILE}. */
    Path file() {
        return file;
    }

    String publicKey() {
        return publicKey;
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
            log.warn("{} was readable by others; its mode is now 0600", file);
        }
        byte[] key = WgKeys.decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        if (key == null) {
            throw new IOException(file + " does not hold a WireGuard private key");
        }
        return key;
    }

    private static byte[] create(Path file) throws IOException {
        byte[] key = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(new SecureRandom(), key);
        StateFiles.write(file, WgKeys.encode(key) + "\n", true);
        log.info("made the WireGuard interface key in {}", file);
        return key;
    }
}

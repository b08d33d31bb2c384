package dev.gatehouse.nodeagent.engine.xray;

import dev.gatehouse.nodeagent.state.StateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The node's REALITY key (X25519, as {@code xray x25519} makes it): made on the node the first time,
 * kept in a mode 0600 file beside the core's configuration, written into that configuration only.
 * The public half goes to the panel (in Hello), which gives it to clients; no operator pastes a
 * server key anywhere. Keys are base64url without padding, as Xray reads them.
 */
record RealityKey(String privateKey, String publicKey) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    static RealityKey loadOrCreate(Path file) throws IOException {
        byte[] scalar;
        if (Files.exists(file)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            scalar = Base64.getUrlDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (scalar.length != X25519.SCALAR_SIZE) {
                throw new IOException(file + " does not hold a REALITY private key");
            }
        } else {
            scalar = new byte[X25519.SCALAR_SIZE];
            X25519.generatePrivateKey(new SecureRandom(), scalar);
            StateFiles.write(file, ENCODER.encodeToString(scalar) + "\n", true);
        }
        byte[] point = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(scalar, 0, point, 0);
        return new RealityKey(ENCODER.encodeToString(scalar), ENCODER.encodeToString(point));
    }

    @Override
    public String toString() {
        return "RealityKey[publicKey=" + publicKey + "]";
    }
}

package dev.gatehouse.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The data key of an embedded installation: 32 random bytes in base64 in {@code data.key} under the
 * data folder, made on the first start with mode 0600 and read on every later one, so the CA key and
 * the sealed tokens it protects open again after a restart. Back it up apart from the database.
 */
final class DataKeyFile {

    static final String NAME = "data.key";

    private DataKeyFile() {
    }

    static String ensure(Path home) {
        Path file = home.resolve(NAME);
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII,
                            StandardOpenOption.TRUNCATE_EXISTING);
                } catch (FileAlreadyExistsException raced) {
                    // Another start made it first; read that one.
                }
            }
            String key = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (key.isEmpty()) {
                throw new LaunchException(file + " is empty; restore it from a backup (the CA key and the sealed"
                        + " tokens need it), or remove it to make a new one and re-enrol every node");
            }
            return key;
        } catch (IOException e) {
            throw new LaunchException("cannot read or make the data key " + file + ": " + e.getMessage(), e);
        }
    }
}

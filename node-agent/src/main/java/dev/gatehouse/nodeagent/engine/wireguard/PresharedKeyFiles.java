package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preshared keys as files for one {@code wg set} that sets many peers (standard input carries one
 * key only, and a key never goes on a command line): each key in its own 0600 file inside a 0700
 * folder of its own, in memory ({@code /dev/shm}) where there is one, all deleted on close.
 */
final class PresharedKeyFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresharedKeyFiles.class);
    private static final Path MEMORY = Path.of("/dev/shm");

    private final Path folder;
    private final List<Path> files = new ArrayList<>();

    private PresharedKeyFiles(Path folder) {
        this.folder = folder;
    }

    static PresharedKeyFiles create() throws EngineException {
        try {
            var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Path folder = Files.isDirectory(MEMORY) && Files.isWritable(MEMORY)
                    ? Files.createTempDirectory(MEMORY, "gatehouse-wg-", ownerOnly)
                    : Files.createTempDirectory("gatehouse-wg-", ownerOnly);
            return new PresharedKeyFiles(folder);
        } catch (IOException e) {
            throw new EngineException("cannot make a private folder for preshared keys: " + e.getMessage(), e);
        }
    }

    /** A new file holding {@code key}, readable by its owner only; its path is what {@code wg} reads. */
    Path write(String key) throws EngineException {
        Path file = folder.resolve("psk" + files.size());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            files.add(file);
            Files.writeString(file, key + "\n", StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new EngineException("cannot write a preshared key file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // The folder's delete below tells of what is left.
            }
        }
        try {
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            log.warn("cannot delete {} (preshared keys may be left in it): {}", folder, e.getMessage());
        }
    }
}

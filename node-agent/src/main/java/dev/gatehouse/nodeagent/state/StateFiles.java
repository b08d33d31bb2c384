package dev.gatehouse.nodeagent.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the agent's small state files so that a crash leaves the old file or the new one, never
 * half of either: write a temporary sibling, fsync it, rename it over the target, fsync the folder.
 * Secret files are created with mode 0600 before any byte is written.
 */
public final class StateFiles {

    private StateFiles() {
    }

    public static void write(Path target, byte[] content, boolean secret) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temporary = folder.resolve("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (secret) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(temporary);
        }
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(content));
            out.force(true);
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncFolder(folder);
    }

    public static void write(Path target, String content, boolean secret) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8), secret);
    }

    /** Makes a rename or a new file in {@code folder} durable. */
    public static void syncFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}

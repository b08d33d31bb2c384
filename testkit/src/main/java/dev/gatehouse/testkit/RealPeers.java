package dev.gatehouse.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real programs that tests drive (v2ray, wireguard-go, caddy...). Missing on a
 * developer's machine, the test is skipped with the package to install; missing in CI
 * ({@code CI=true}), the test fails, so a capability is never silently left unproven.
 */
public final class RealPeers {

    private RealPeers() {
    }

    /** The executable's path; skips (locally) or fails (in CI) when it is not installed. */
    public static Path require(String executable, String debianPackage) {
        Optional<Path> found = find(executable);
        if (found.isPresent()) {
            return found.get();
        }
        String message = executable + " is not installed (Debian package " + debianPackage
                + "; .ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    static Optional<Path> find(String executable) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/sbin", "/sbin"))
                .map(dir -> Path.of(dir, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }
}

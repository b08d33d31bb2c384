package dev.gatehouse.nodeagent.engine.xray;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the agent runs its own core (managed mode).
 *
 * @param flavour   which core the binary is
 * @param binary    the executable; a bare name is looked up on PATH
 * @param folder    a folder the driver owns: the rendered configuration, the core's output and its
 *                  pid live there
 * @param listen    the address the inbounds listen on (the API inbound is always on 127.0.0.1)
 * @param tls       certificate and key for inbounds with {@code security: tls}; null when none is
 *                  configured, and such inbounds are then refused
 */
public record CoreSettings(CoreFlavour flavour, Path binary, Path folder, String listen, TlsFiles tls) {

    public CoreSettings {
        Objects.requireNonNull(flavour, "flavour");
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(listen, "listen");
    }

    /** The flavour's binary from PATH, inbounds on every address, no TLS files. */
    public static CoreSettings of(CoreFlavour flavour, Path folder) {
        return new CoreSettings(flavour, Path.of(flavour.defaultBinary()), folder, "0.0.0.0", null);
    }

    public CoreSettings withBinary(Path binary) {
        return new CoreSettings(flavour, binary, folder, listen, tls);
    }

    public CoreSettings withListen(String listen) {
        return new CoreSettings(flavour, binary, folder, listen, tls);
    }

    public CoreSettings withTls(Path certificate, Path key) {
        return new CoreSettings(flavour, binary, folder, listen, new TlsFiles(certificate, key));
    }

    /** The PEM files every TLS inbound presents (the core reads them itself). */
    public record TlsFiles(Path certificate, Path key) {

        public TlsFiles {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }
}

package dev.gatehouse.nodeagent.engine.wireguard;

import dev.gatehouse.nodeagent.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs {@code wg}, {@code ip} and {@code wireguard-go} as argument lists (never through a shell),
 * each behind the same prefix, so the interface can live in another network namespace ({@code ip
 * netns exec NS}). Secrets go in on standard input or in files, never as arguments; error messages
 * carry only what the program wrote to standard error, with anything shaped like a key blanked,
 * because {@code wg show dump} writes the private key to standard output.
 */
final class Commands {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{43}=");

    private final List<String> prefix;

    Commands(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** The command line of {@code args} behind the prefix. */
    List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(prefix.size() + args.size());
        argv.addAll(prefix);
        argv.addAll(args);
        return argv;
    }

    /** Runs the command; returns its standard output, or fails naming the command and its error output. */
    String check(String... args) throws EngineException {
        return check(null, List.of(args));
    }

    /** As {@link #check(String...)}, with {@code input} (a secret) on standard input. */
    String check(String input, List<String> args) throws EngineException {
        Result result = run(input, args);
        if (result.exitCode() != 0) {
            throw new EngineException(describe(args) + " failed (exit " + result.exitCode() + "): "
                    + result.error(), false);
        }
        return result.output();
    }

    /** Whether the command exits 0; its output is dropped. */
    boolean succeeds(String... args) {
        try {
            return run(null, List.of(args)).exitCode() == 0;
        } catch (EngineException e) {
            return false;
        }
    }

    /** The command's exit code, standard output and standard error (keys blanked). */
    record Result(int exitCode, String output, String error) {
    }

    Result run(String input, List<String> args) throws EngineException {
        Process process;
        try {
            process = new ProcessBuilder(argv(args)).start();
        } catch (IOException e) {
            throw new EngineException("cannot run " + describe(args) + ": " + e.getMessage(), e);
        }
        // A hung command is killed, which also ends the reads below.
        process.onExit().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(timeout -> process.destroyForcibly());
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            String output = read(process.getInputStream());
            String error = KEY.matcher(read(process.getErrorStream()).strip()).replaceAll("(key)");
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new EngineException(describe(args) + " did not finish in " + TIMEOUT.toSeconds() + " s", false);
            }
            return new Result(process.exitValue(), output, error);
        } catch (IOException e) {
            process.destroyForcibly();
            throw new EngineException(describe(args) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EngineException(describe(args) + " interrupted", e);
        }
    }

    private static String read(InputStream stream) throws IOException {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The program and its first arguments: enough to tell which call failed, never a long peer list. */
    private static String describe(List<String> args) {
        return String.join(" ", args.subList(0, Math.min(args.size(), 3)));
    }
}

package dev.gatehouse.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion with a time limit and returns what it printed (stdout and stderr). */
public final class Command {

    private Command() {
    }

    /** Runs the command; fails with its output when it does not exit 0 within 30 s. */
    public static String run(String... command) {
        return run(null, true, command);
    }

    /** Runs the command and returns its output whatever its exit status. */
    public static String attempt(String... command) {
        return run(null, false, command);
    }

    /** Runs the command with {@code input} on its standard input; must exit 0. */
    public static String withInput(String input, String... command) {
        return run(input, true, command);
    }

    /** Whether the command exits 0 within 30 s. */
    public static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(String input, boolean mustSucceed, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            if (mustSucceed && (!done || p.exitValue() != 0)) {
                throw new AssertionError(String.join(" ", List.of(command)) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", List.of(command)) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

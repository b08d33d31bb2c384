package dev.gatehouse.nodeagent.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built agent jar run as an operator runs it: {@code java -jar gatehouse-node-agent.jar ...}. */
public final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    private static Path jar() {
        return Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).resolve("target/gatehouse-node-agent.jar");
    }

    private static ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_AGENT_"));
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs a command to its end (enroll, status): exit code and output. */
    public record Finished(int exitCode, String output) {
    }

    public static Finished once(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("agent-cli", ".log");
        Process p = builder(env, args).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the agent command did not end: " + Files.readString(out));
        }
        String output = Files.readString(out);
        Files.delete(out);
        return new Finished(p.exitValue(), output);
    }

    /** Starts {@code run}; the process keeps going until killed or closed. */
    public static AgentProcess run(Map<String, String> env, String... args) throws IOException {
        Path log = Files.createTempFile("agent-run", ".log");
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        return new AgentProcess(builder(env, all.toArray(String[]::new)).redirectOutput(
                ProcessBuilder.Redirect.appendTo(log.toFile())).start(), log);
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

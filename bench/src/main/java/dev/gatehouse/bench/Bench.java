package dev.gatehouse.bench;

import java.nio.file.Path;
import java.util.Arrays;

/** Entry point of bench/run: {@code ROOT BENCHMARK [options]}. */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: bench/run domain [--people N] [--batch N] [--singles N]\n"
                    + "       bench/run ingest [--nodes N] [--subscriptions N] [--rounds N]\n"
                    + "       bench/run agent [--users N] [--reps N] [--reads N] [--singles N] [--parts drivers,agent]"
                    + " [--agent-flags 'JVM FLAGS;...']\n"
                    + "       bench/run scheduler [--subscriptions N] [--reps N]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Options options = Options.parse(Arrays.copyOfRange(args, 2, args.length));
        switch (args[1]) {
            case "domain" -> new DomainBench(root, options).run();
            case "ingest" -> new IngestBench(root, options).run();
            case "agent" -> new AgentBench(root, options).run();
            case "scheduler" -> new SchedulerBench(options).run();
            default -> {
                System.err.println("bench: unknown benchmark '" + args[1] + "' (known: domain, ingest, agent, scheduler)");
                System.exit(2);
            }
        }
    }
}

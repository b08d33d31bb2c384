package dev.gatehouse.nodeagent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * Where an option's value comes from when it is not on the command line: the environment
 * ({@code --poll-interval} is {@code GATEHOUSE_AGENT_POLL_INTERVAL}), then the YAML file named by
 * {@code --config} / {@code GATEHOUSE_AGENT_CONFIG} (key {@code poll-interval}), then the option's
 * documented default. So a flag beats the environment, which beats the file.
 */
final class Settings implements CommandLine.IDefaultValueProvider {

    static final String CONFIG_ENV = "GATEHOUSE_AGENT_CONFIG";

    private final Map<String, String> environment;
    private final Map<String, Object> file;

    Settings(Map<String, String> environment, Path configFile) {
        this.environment = environment;
        this.file = load(configFile);
    }

    /** The settings file named on the command line or in the environment, if any. */
    static Path configFile(String[] args, Map<String, String> environment) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = environment.get(CONFIG_ENV);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    static String environmentName(String longOption) {
        return "GATEHOUSE_AGENT_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!(argSpec instanceof CommandLine.Model.OptionSpec option)) {
            return argSpec.defaultValue();
        }
        String name = option.longestName();
        String fromEnv = environment.get(environmentName(name));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        Object fromFile = file.get(name.replaceFirst("^--", ""));
        if (fromFile != null) {
            return String.valueOf(fromFile);
        }
        return option.defaultValue();
    }

    private static Map<String, Object> load(Path configFile) {
        if (configFile == null) {
            return Map.of();
        }
        try {
            Object parsed = new Yaml().load(Files.readString(configFile));
            if (parsed == null) {
                return Map.of();
            }
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new CommandLine.InitializationException(configFile + " must hold one mapping of settings");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> settings = (Map<String, Object>) map;
            return settings;
        } catch (IOException e) {
            throw new CommandLine.InitializationException("cannot read " + configFile + ": " + e.getMessage());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new CommandLine.InitializationException(configFile + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}

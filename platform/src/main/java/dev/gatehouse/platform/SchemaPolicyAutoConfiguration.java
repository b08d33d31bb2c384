package dev.gatehouse.platform;

import org.flywaydb.core.Flyway;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * One app owns the schema: control-api migrates ({@code gatehouse.schema.migrate=true}); every
 * other app only validates, and refuses to start against a schema that is behind or ahead of it.
 */
@AutoConfiguration
@ConditionalOnClass({Flyway.class, FlywayMigrationStrategy.class})
public class SchemaPolicyAutoConfiguration {

    public static final String MIGRATE_PROPERTY = "gatehouse.schema.migrate";

    /**
     * Flyway by default ignores applied migrations newer than this build ("future"); a database at
     * a newer version must stop the app instead, so nothing is ignored.
     */
    @Bean
    FlywayConfigurationCustomizer gatehouseStrictValidation() {
        return configuration -> configuration.ignoreMigrationPatterns(new String[0]);
    }

    @Bean
    FlywayMigrationStrategy gatehouseSchemaPolicy(Environment env) {
        boolean migrate = env.getProperty(MIGRATE_PROPERTY, Boolean.class, false);
        return flyway -> {
            if (migrate) {
                flyway.migrate();
            } else {
                flyway.validate();
            }
        };
    }
}

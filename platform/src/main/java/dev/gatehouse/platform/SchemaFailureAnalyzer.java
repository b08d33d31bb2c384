package dev.gatehouse.platform;

import org.flywaydb.core.api.FlywayException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a schema that does not match this build into Flyway's own message and what to do. */
class SchemaFailureAnalyzer extends AbstractFailureAnalyzer<FlywayException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FlywayException cause) {
        return new FailureAnalysis(
                "The database schema does not match this build: " + cause.getMessage(),
                "control-api applies the migrations; start the same version of control-api first."
                        + " A schema newer than this build needs a newer build of this app.",
                cause);
    }
}

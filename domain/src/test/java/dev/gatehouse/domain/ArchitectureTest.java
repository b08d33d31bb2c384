package dev.gatehouse.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.gatehouse.testkit.ModuleBoundaries;
import org.junit.jupiter.api.Test;

/** The domain core stays below the apps: no web, no app code, no package cycles. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = ModuleBoundaries.classesOf("domain");

    @Test
    void featurePackagesHaveNoCycles() {
        ModuleBoundaries.checkNoCycles("domain", CLASSES);
    }

    @Test
    void usesOnlyTheProtoModule() {
        ModuleBoundaries.checkUsesOnly("domain", CLASSES, "proto");
    }

    @Test
    void hasNoWebDependencies() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework.web..",
                "org.springframework.http..", "jakarta.servlet..").check(CLASSES);
    }
}

package dev.gatehouse.nodeagent;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.gatehouse.testkit.ModuleBoundaries;
import org.junit.jupiter.api.Test;

/** Keeps the module's boundaries: no package cycles, no Gatehouse code beyond what it may use. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = ModuleBoundaries.classesOf("nodeagent");

    @Test
    void featurePackagesHaveNoCycles() {
        ModuleBoundaries.checkNoCycles("nodeagent", CLASSES);
    }

    @Test
    void usesNoOtherAppsCode() {
        ModuleBoundaries.checkUsesOnly("nodeagent", CLASSES, "platform", "proto");
    }
}

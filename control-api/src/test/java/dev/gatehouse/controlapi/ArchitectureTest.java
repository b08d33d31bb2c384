package dev.gatehouse.controlapi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.gatehouse.testkit.ModuleBoundaries;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.RestController;

/** Keeps control-api's layers honest: controllers map DTOs to services, services own data access. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = ModuleBoundaries.classesOf("controlapi");

    @Test
    void controllersDoNotTouchTheDatabase() {
        noClasses().that().areAnnotatedWith(RestController.class)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..", "java.sql..")
                .orShould().dependOnClassesThat().areAnnotatedWith(Repository.class)
                .check(CLASSES);
    }

    @Test
    void featurePackagesHaveNoCycles() {
        ModuleBoundaries.checkNoCycles("controlapi", CLASSES);
    }

    @Test
    void usesNoOtherAppsCode() {
        ModuleBoundaries.checkUsesOnly("controlapi", CLASSES, "domain", "platform", "db");
    }

    @Test
    void featuresDoNotReachIntoTheWebLayerOfOthers() {
        noClasses().that().resideOutsideOfPackages("..controlapi.web..", "..controlapi.problem..",
                        "..controlapi.auth..")
                .should().dependOnClassesThat().haveSimpleName("ClientAddressResolver")
                .check(CLASSES);
    }
}

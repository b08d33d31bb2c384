package dev.gatehouse.controlapi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.RestController;

/** Keeps control-api's layers honest: controllers map DTOs to services, services own data access. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.controlapi");

    @Test
    void controllersDoNotTouchTheDatabase() {
        noClasses().that().areAnnotatedWith(RestController.class)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.jdbc..", "java.sql..")
                .orShould().dependOnClassesThat().areAnnotatedWith(Repository.class)
                .check(CLASSES);
    }

    @Test
    void featuresDoNotReachIntoTheWebLayerOfOthers() {
        noClasses().that().resideOutsideOfPackages("..controlapi.web..", "..controlapi.problem..",
                        "..controlapi.auth..")
                .should().dependOnClassesThat().haveSimpleName("ClientAddressResolver")
                .check(CLASSES);
    }
}

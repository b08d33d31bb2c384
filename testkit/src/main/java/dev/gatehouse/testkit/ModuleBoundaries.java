package dev.gatehouse.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The boundaries every Gatehouse module keeps, checked by each module's ArchitectureTest: no cycles
 * between its feature packages, and no Gatehouse code but its own and the shared modules it may use.
 */
public final class ModuleBoundaries {

    private static final List<String> MODULES = List.of("controlapi", "collector", "scheduler", "nodeagent",
            "launcher", "domain", "platform", "proto", "db", "testkit");

    private ModuleBoundaries() {
    }

    /** The module's own classes, without tests. */
    public static JavaClasses classesOf(String module) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.gatehouse." + module);
    }

    /** Fails when the module's feature packages form a cycle. */
    public static void checkNoCycles(String module, JavaClasses classes) {
        slices().matching("dev.gatehouse." + module + ".(*)..").should().beFreeOfCycles().allowEmptyShould(true)
                .check(classes);
    }

    /** Fails when the module uses Gatehouse code other than its own and the {@code allowed} modules'. */
    public static void checkUsesOnly(String module, JavaClasses classes, String... allowed) {
        List<String> forbidden = new ArrayList<>();
        for (String other : MODULES) {
            if (!other.equals(module) && !List.of(allowed).contains(other)) {
                forbidden.add("dev.gatehouse." + other + "..");
            }
        }
        noClasses().should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                .allowEmptyShould(true).check(classes);
    }
}

package dev.sysextharness.scenarios;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of this repository are written against the public API alone (see the package dev.sysextharness.api),
 * as scenarios in an author's own project must be: a scenario that needs an internal class shows what the API lacks.
 */
class PublicApiIT {
    /** The API outside the api package and the flavor model, as api/package-info.java lists it. */
    static final Set<String> API_TYPES = Set.of("guest.Guest", "guest.Node", "guest.ContainerGuest", "guest.Rebootable", "guest.Lane",
            "guest.CommandResult", "guest.CommandResultAssert", "guest.Mount", "guest.MountAssert", "guest.BootIdProof",
            "guest.Transcript", "sysext.Sysext", "sysext.SysextAssert", "sysext.SysextStatus", "sysext.HierarchyStatus",
            "sysext.MergeOracle", "sysext.Compatibility", "sysext.MergeExpectation", "sysext.DirectoryExtension",
            "sysext.KairosAgent", "sysext.KairosExtensionLinks", "sysext.SharedLibraries", "sysext.ElfDynamic", "sysext.ElfFixture",
            "extension.Extension", "extension.ExtensionDefinition", "extension.SigningKey");

    static boolean isApi(JavaClass c) {
        String name = c.getName();
        if (!name.startsWith("dev.sysextharness.")) {
            return true; // the JDK, JUnit, AssertJ
        }
        String local = name.substring("dev.sysextharness.".length()).replaceFirst("\\$.*", "");
        return local.startsWith("api.") || local.startsWith("flavor.") || local.startsWith("scenarios.") || API_TYPES.contains(local);
    }

    @Test
    void scenariosUseOnlyThePublicApi() {
        classes().that().haveSimpleNameEndingWith("Scenarios")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe("are in the public API", PublicApiIT::isApi))
                .check(new ClassFileImporter().importPackages("dev.sysextharness.scenarios"));
    }
}

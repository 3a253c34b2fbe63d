package dev.sysextharness.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The picture of harness/ARCHITECTURE.md, checked: every package depends only on the packages below it, and no two
 * packages depend on each other through any path. The first upward arrow fails the selftest.
 */
class LayeringTest {
    /** Bottom first: each may use those before it, never one after it. */
    static final List<String> LAYERS = List.of("flavor", "host", "vm", "container", "guest", "image", "extension", "install",
            "sysext", "api", "report", "scenario", "cli");

    static final JavaClasses HARNESS = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sysextharness");

    @Test
    void everyPackageDependsOnlyOnThePackagesBelowIt() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) {
            rule = rule.layer(layer).definedBy("dev.sysextharness." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            rule = rule.whereLayer(LAYERS.get(i)).mayOnlyBeAccessedByLayers(LAYERS.subList(i + 1, LAYERS.size()).toArray(String[]::new));
        }
        rule = rule.whereLayer(LAYERS.get(LAYERS.size() - 1)).mayNotBeAccessedByAnyLayer();
        rule.check(HARNESS);
    }

    @Test
    void noCycleBetweenPackages() {
        slices().matching("dev.sysextharness.(*)..").should().beFreeOfCycles().check(HARNESS);
    }

    @Test
    void theLayersAreAllThePackagesThereAre() {
        List<String> packages = HARNESS.stream().map(c -> c.getPackageName().replaceFirst("^dev\\.sysextharness\\.", "").split("\\.")[0])
                .distinct().sorted().toList();
        org.assertj.core.api.Assertions.assertThat(LAYERS).as("a package without a layer escapes the rule")
                .containsAll(packages.stream().filter(p -> !Arrays.asList("dev").contains(p)).toList());
    }
}

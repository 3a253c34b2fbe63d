package dev.sysextharness.scenario;

import dev.sysextharness.api.Certifies;
import dev.sysextharness.api.FirmwareDb;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import java.lang.reflect.Method;

/**
 * Whether a scenario is judged on a flavor, decided from data alone, before anything boots (kola's gating): the
 * capability rows it requires against the flavor's declared systemd version, and — for a certification scenario —
 * whether it ships the form the author's extension comes in. The same answer gates the cell during the run
 * ({@link CapabilityCondition}) and in the run's plan ({@link ScenarioRun#plan()}).
 */
final class CellGate {
    private CellGate() {
    }

    /** Null when the cell runs; else why it is skipped. {@code given}: the author's extension's form, null without one. */
    static String skipReason(Method method, Flavor flavor, Certifies.Form given) {
        Scenario scenario = method.getAnnotation(Scenario.class);
        Certifies certifies = method.getAnnotation(Certifies.class);
        if (certifies != null && given != null && given != certifies.value()) {
            return "your extension is " + given.text() + "; this scenario ships " + certifies.value().text();
        }
        if (!java.util.List.of(scenario.families()).contains(flavor.family())) {
            return "needs a " + java.util.Arrays.stream(scenario.families()).map(Family::text).collect(java.util.stream.Collectors.joining(" or "))
                    + " flavor; " + flavor.name() + " is " + flavor.family().text() + ", " + flavor.family().has();
        }
        FirmwareDb firmware = method.getAnnotation(FirmwareDb.class);
        if (firmware != null && flavor.family() != Family.REFERENCE) {
            return "boots under UEFI firmware with the harness's certificate in db, which only a reference flavor's directly booted"
                    + " kernel does here; " + flavor.name() + " is " + flavor.family().text();
        }
        if (firmware != null && flavor.sysext().kernelTrustsFirmwareDb() == null) {
            return "vm-configs/" + flavor.name() + ".yaml does not say whether its kernel takes the firmware's db for verity"
                    + " signatures (sysext.kernelTrustsFirmwareDb), so nothing can be predicted";
        }
        for (Capability c : scenario.requires()) {
            if (!c.in(flavor.systemdVersion())) {
                return c.missingIn(flavor);
            }
        }
        return null;
    }
}

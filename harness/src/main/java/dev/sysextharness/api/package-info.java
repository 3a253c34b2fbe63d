/**
 * The public API for writing scenarios — what an extension author or a release engineer writes against, in this
 * repository or in a project of their own; everything else in dev.sysextharness is the harness's inside and may
 * change without notice.
 *
 * <p>It is this package — {@link dev.sysextharness.api.Scenario} (a method that runs once per selected flavor and
 * lane), {@link dev.sysextharness.api.Bundles} (install these extensions as Kairos bundles first),
 * {@link dev.sysextharness.api.Certifies} (which form of the author's extension a scenario ships),
 * {@link dev.sysextharness.api.Expectation} (what the scenario predicts, written before it acts),
 * {@link dev.sysextharness.api.Extensions} and {@link dev.sysextharness.api.PublishedExtension} (the run's extension
 * images) — together with the types a scenario receives and asserts on:
 * <ul>
 *   <li>guests: {@link dev.sysextharness.guest.Guest}, {@link dev.sysextharness.guest.Node},
 *       {@link dev.sysextharness.guest.ContainerGuest}, {@link dev.sysextharness.guest.Rebootable},
 *       {@link dev.sysextharness.guest.Lane}, {@link dev.sysextharness.guest.CommandResult},
 *       {@link dev.sysextharness.guest.CommandResultAssert}, {@link dev.sysextharness.guest.Mount},
 *       {@link dev.sysextharness.guest.MountAssert}, {@link dev.sysextharness.guest.BootIdProof},
 *       {@link dev.sysextharness.guest.Transcript};</li>
 *   <li>sysext and its oracle: {@link dev.sysextharness.sysext.Sysext}, {@link dev.sysextharness.sysext.SysextAssert},
 *       {@link dev.sysextharness.sysext.SysextStatus}, {@link dev.sysextharness.sysext.HierarchyStatus},
 *       {@link dev.sysextharness.sysext.MergeOracle}, {@link dev.sysextharness.sysext.Compatibility},
 *       {@link dev.sysextharness.sysext.MergeExpectation}, {@link dev.sysextharness.sysext.DirectoryExtension};</li>
 *   <li>what the dynamic loader will make of an extension's ELF files: {@link dev.sysextharness.sysext.SharedLibraries}
 *       (the prediction and the loader's listing), {@link dev.sysextharness.sysext.ElfDynamic} (what it reads) and
 *       {@link dev.sysextharness.sysext.ElfFixture} (tiny programs and libraries to ship in a test extension);</li>
 *   <li>Kairos's own tools on a Kairos node: {@link dev.sysextharness.sysext.KairosAgent} ({@code kairos-agent sysext})
 *       and its oracle {@link dev.sysextharness.sysext.KairosExtensionLinks} (what /run/extensions holds after each
 *       agent command and boot);</li>
 *   <li>the flavor model, package {@code dev.sysextharness.flavor} ({@link dev.sysextharness.flavor.Flavor},
 *       {@link dev.sysextharness.flavor.Capability}, …), and an extension as defined:
 *       {@link dev.sysextharness.extension.Extension}, {@link dev.sysextharness.extension.ExtensionDefinition},
 *       {@link dev.sysextharness.extension.SigningKey} (a DDI's signer: {@code Sysext.signingKey(name)}).</li>
 * </ul>
 * The scenarios module's {@code PublicApiIT} keeps its own scenarios to exactly this list.
 */
package dev.sysextharness.api;

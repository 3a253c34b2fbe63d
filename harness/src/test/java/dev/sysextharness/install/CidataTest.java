package dev.sysextharness.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Login;
import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cidata volume read back by readers other than the one that wrote it: libblkid's probe and libarchive. */
class CidataTest {
    @TempDir
    Path dir;

    @Test
    void aCidataVolumeCarriesTheCloudConfigAndAnEmptyMetaData() {
        String userData = new CloudConfig("/dev/vda", new Login("kairos", "kairos"),
                List.of(Bundle.container("/var/lib/extensions/hello", "10.0.2.100:5000/hello:1"))).render();

        Path iso = Cidata.write(userData, dir.resolve("cidata.iso"));

        assertThat(OwnedProcesses.run(List.of("blkid", "-p", "-o", "export", iso.toString()), 30))
                .as("the volume label Kairos's cdrom datasource looks for")
                .contains("TYPE=iso9660", "LABEL=cidata");
        assertThat(OwnedProcesses.run(List.of("bsdtar", "-tf", iso.toString()), 30).lines().filter(f -> !f.equals(".")))
                .containsExactlyInAnyOrder("user-data", "meta-data");
        String readBack = OwnedProcesses.run(List.of("bsdtar", "-xOf", iso.toString(), "user-data"), 30);
        assertThat(readBack).isEqualTo(userData);
        assertThat(CloudConfig.parse("user-data on " + iso, readBack).bundles())
                .extracting(Bundle::image).containsExactly("10.0.2.100:5000/hello:1");
        assertThat(OwnedProcesses.run(List.of("bsdtar", "-xOf", iso.toString(), "meta-data"), 30)).isEmpty();
        assertThat(dir).isDirectoryNotContaining("glob:**/.cidata-*");
    }
}

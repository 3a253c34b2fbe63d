package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    QemuCommandLine base() {
        return new QemuCommandLine()
                .disk(Path.of("/cache/vm1/overlay.qcow2"))
                .serialLog(Path.of("/cache/vm1/serial.log"))
                .qmpSocket(Path.of("/cache/vm1/qmp.sock"))
                .sshHostPort(2222);
    }

    static String valueAfter(List<String> argv, String flag) {
        int i = argv.indexOf(flag);
        assertThat(i).as("flag %s in %s", flag, argv).isNotNegative();
        return argv.get(i + 1);
    }

    @Test
    void userNetworkingIsRestrictedAndSshForwardIsLoopbackOnly() {
        String netdev = valueAfter(base().build(), "-netdev");
        assertThat(netdev).startsWith("user,").contains(",restrict=on")
                .contains("hostfwd=tcp:127.0.0.1:2222-:22")
                .doesNotContain("guestfwd");
        assertThat(netdev.split(",")).filteredOn(o -> o.startsWith("hostfwd="))
                .allMatch(o -> o.startsWith("hostfwd=tcp:127.0.0.1:"));
    }

    @Test
    void guestForwardIsOneArgumentWithPerConnectionSocatToLoopback() {
        List<String> argv = base().guestForward(GuestForward.registry(5123)).build();
        String netdev = valueAfter(argv, "-netdev");
        assertThat(netdev).contains("guestfwd=tcp:10.0.2.100:5000-cmd:socat STDIO TCP:127.0.0.1:5123")
                .contains("restrict=on");
        assertThat(argv).filteredOn(a -> a.contains("guestfwd")).hasSize(1);
    }

    @Test
    void guestForwardMustStayInsideTheUserNetwork() {
        assertThatThrownBy(() -> new GuestForward("192.168.1.5", 5000, 5123))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.2.0/24");
    }

    @Test
    void diskIsTheOverlayAsQcow2() {
        assertThat(valueAfter(base().build(), "-drive")).startsWith("file=/cache/vm1/overlay.qcow2,").contains("format=qcow2");
    }

    @Test
    void acceleratorIsPassedThrough() {
        assertThat(valueAfter(base().build(), "-accel")).isEqualTo("tcg");
        List<String> kvm = base().accel(Accelerator.KVM).build();
        assertThat(valueAfter(kvm, "-accel")).isEqualTo("kvm");
        assertThat(valueAfter(kvm, "-cpu")).isEqualTo("host");
    }

    @Test
    void directKernelBootAndSerialFromFirstByte() {
        List<String> argv = base().directKernel(Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "root=LABEL=COS_ACTIVE ro console=ttyS0").build();
        assertThat(valueAfter(argv, "-kernel")).isEqualTo("/img/vmlinuz");
        assertThat(valueAfter(argv, "-initrd")).isEqualTo("/img/initrd.img");
        assertThat(valueAfter(argv, "-append")).contains("console=ttyS0");
        assertThat(valueAfter(argv, "-chardev")).isEqualTo("file,id=serial0,path=/cache/vm1/serial.log,append=on");
        assertThat(valueAfter(argv, "-serial")).isEqualTo("chardev:serial0");
        assertThat(valueAfter(argv, "-qmp")).isEqualTo("unix:/cache/vm1/qmp.sock,server=on,wait=off");
    }

    @Test
    void noKernelFlagsWithoutDirectBoot() {
        assertThat(base().build()).doesNotContain("-kernel", "-initrd", "-append");
    }

    @Test
    void memoryAndCpus() {
        List<String> argv = base().memoryMiB(2048).cpus(4).build();
        assertThat(valueAfter(argv, "-m")).isEqualTo("2048");
        assertThat(valueAfter(argv, "-smp")).isEqualTo("4");
    }

    @Test
    void refusesToBuildWithoutSshPort() {
        assertThatThrownBy(() -> new QemuCommandLine().disk(Path.of("a")).serialLog(Path.of("b")).qmpSocket(Path.of("c")).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRamFileIsTheMachinesMemoryBackendSharedOnlyWhenAsked() {
        List<String> saving = base().memoryMiB(1024).ramFile(Path.of("/cache/vm1/ram.bin"), true).build();
        assertThat(valueAfter(saving, "-machine")).isEqualTo("q35,memory-backend=ram0");
        assertThat(valueAfter(saving, "-object")).isEqualTo("memory-backend-file,id=ram0,size=1024M,mem-path=/cache/vm1/ram.bin,share=on");
        List<String> restoring = base().ramFile(Path.of("/state/ram.bin"), false).incoming("defer").build();
        assertThat(valueAfter(restoring, "-object")).as("a restore maps the saved RAM copy-on-write").endsWith(",share=off");
        assertThat(valueAfter(restoring, "-incoming")).isEqualTo("defer");
        assertThat(valueAfter(base().build(), "-machine")).as("no RAM file: anonymous memory").isEqualTo("q35");
        assertThat(base().build()).doesNotContain("-object");
    }

    @Test
    void aDirectKernelNodeHasNoSataSmbusOrPs2ButAnInstallerAndAFirmwareBootKeepQ35AsItIs() {
        QemuCommandLine direct = base().directKernel(Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "console=ttyS0");
        assertThat(valueAfter(direct.build(), "-machine")).isEqualTo("q35,sata=off,smbus=off,i8042=off");
        assertThat(direct.machineArguments()).as("a saved state is keyed on the machine it was saved on")
                .contains("machine=q35,sata=off,smbus=off,i8042=off");
        assertThat(valueAfter(base().directKernel(Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "console=ttyS0")
                .ramFile(Path.of("/state/ram.bin"), false).build(), "-machine")).isEqualTo("q35,sata=off,smbus=off,i8042=off,memory-backend=ram0");
        assertThat(valueAfter(base().cdrom(Path.of("/isos/kairos.iso")).build(), "-machine"))
                .as("an ISO is on q35's SATA bus").isEqualTo("q35");
        assertThat(valueAfter(base().bootOrder("c").build(), "-machine")).as("a firmware boot of an installed disk").isEqualTo("q35");
    }

    @Test
    void aMachinePoweredOnAgainGetsFreshMemoryInsteadOfTheSavedRam() {
        List<String> restored = base().memoryMiB(2048).ramFile(Path.of("/state/ram.bin"), false).build();
        List<String> again = QemuCommandLine.withAnonymousRam(restored);
        assertThat(valueAfter(again, "-object")).isEqualTo("memory-backend-ram,id=ram0,size=2048M");
        assertThat(valueAfter(again, "-machine")).isEqualTo("q35,memory-backend=ram0");
        assertThat(String.join(" ", again)).doesNotContain("ram.bin");
        assertThat(QemuCommandLine.withAnonymousRam(base().build())).isEqualTo(base().build());
    }
}

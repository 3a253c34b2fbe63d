package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ELF reader against files a real linker made (the host's /bin/sh and libz), and the fixture writer against the
 * host's real loader: the program starts only when the loader finds its library, and fails the way any program does
 * when it does not.
 */
class ElfFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsTheLoadersViewOfALinkedProgram() throws IOException {
        ElfDynamic sh = ElfDynamic.read(Files.readAllBytes(Path.of("/bin/sh").toRealPath())).orElseThrow();
        assertThat(sh.interpreter()).as("PT_INTERP of /bin/sh").isEqualTo(ElfFixture.X86_64_INTERPRETER);
        assertThat(sh.needed()).as("DT_NEEDED of /bin/sh").contains("libc.so.6");
        assertThat(sh.machine()).isEqualTo(ElfDynamic.EM_X86_64);
    }

    @Test
    void aSharedLibraryHasNoInterpreterAndListsWithTheAbisLoader() throws IOException {
        Path libz = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1"); // zlib1g is Priority: required on Debian
        ElfDynamic lib = ElfDynamic.read(Files.readAllBytes(libz.toRealPath())).orElseThrow();
        assertThat(lib.sharedObject()).isTrue();
        assertThat(lib.interpreter()).isNull();
        assertThat(lib.loader()).isEqualTo(ElfFixture.X86_64_INTERPRETER);
    }

    @Test
    void textAndOtherFormatsAreNotElfAndATruncatedElfIsAnError() {
        assertThat(ElfDynamic.read("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
        byte[] program = ElfFixture.program("x", List.of("liba.so.1"), null);
        byte[] elf32 = program.clone();
        elf32[4] = 1;
        assertThat(ElfDynamic.read(elf32)).as("a 32-bit ELF file").isEmpty();
        assertThatThrownBy(() -> ElfDynamic.read(Arrays.copyOf(program, 200))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated or malformed ELF");
    }

    @Test
    void theFixturesReadBackAsWritten() {
        ElfDynamic p = ElfDynamic.read(ElfFixture.program("hi", List.of("liba.so.1", "libb.so.2"), "$ORIGIN/../lib:/opt/x")).orElseThrow();
        assertThat(p.needed()).containsExactly("liba.so.1", "libb.so.2");
        assertThat(p.runpath()).containsExactly("$ORIGIN/../lib", "/opt/x");
        assertThat(p.rpath()).isEmpty();
        assertThat(p.sharedObject()).isFalse();
        ElfDynamic l = ElfDynamic.read(ElfFixture.library("liba.so.1")).orElseThrow();
        assertThat(l.sharedObject()).isTrue();
        assertThat(l.needsLibraries()).isFalse();
    }

    @Test
    void theHostsLoaderStartsTheProgramOnlyWithItsLibrary() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path program = dir.resolve("prog");
        Files.write(program, ElfFixture.program("prog started", List.of("libsxh-test.so.1"), lib.toString()));
        program.toFile().setExecutable(true);

        Result without = run(program);
        assertThat(without.exit()).as("exit status without the library").isEqualTo(127);
        assertThat(without.output()).contains("error while loading shared libraries: libsxh-test.so.1");

        Files.write(lib.resolve("libsxh-test.so.1"), ElfFixture.library("libsxh-test.so.1"));
        Result with = run(program);
        assertThat(with.exit()).as("exit status with the library; output: %s", with.output()).isZero();
        assertThat(with.output()).isEqualTo("prog started\n");
        assertThat(SharedLibraries.parseListing(run(Path.of(ElfFixture.X86_64_INTERPRETER), program.toString()).output()))
                .containsEntry("libsxh-test.so.1", lib.resolve("libsxh-test.so.1").toString());
    }

    record Result(int exit, String output) {
    }

    private static Result run(Path program, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(program.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (args.length > 0) {
            pb.environment().put("LD_TRACE_LOADED_OBJECTS", "1");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("%s ended", cmd).isTrue();
        return new Result(p.exitValue(), out);
    }
}

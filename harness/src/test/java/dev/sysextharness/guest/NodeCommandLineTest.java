package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCommandLineTest {
    private static final List<String> QEMU = List.of("qemu-system-x86_64", "-append",
            "console=ttyS0 root=/dev/vda1 sysext-harness.tcg-timeouts=120 tsc=unstable", "-m", "1024");

    @Test
    void theTcgBudgetIsFoundAsAWholeWordOfAppend() {
        assertThat(Node.carriesWord(QEMU, "sysext-harness.tcg-timeouts=120")).isTrue();
        assertThat(Node.carriesWord(QEMU, "tsc=unstable")).as("the last word of -append").isTrue();
    }

    @Test
    void aPrefixOrASuffixOfAWordIsNotTheWord() {
        assertThat(Node.carriesWord(QEMU, "sysext-harness.tcg-timeouts=12")).as("a budget of 12 against 120").isFalse();
        assertThat(Node.carriesWord(QEMU, "tcg-timeouts=120")).isFalse();
        assertThat(Node.carriesWord(QEMU, "1024 ")).isFalse();
    }
}

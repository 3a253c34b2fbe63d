package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimespansTest {
    @Test
    void systemdsPrintedSpansReadBackAsSeconds() {
        assertThat(Timespans.seconds("2min")).isEqualTo(120);
        assertThat(Timespans.seconds("1min 30s")).isEqualTo(90);
        assertThat(Timespans.seconds("1h 5min")).isEqualTo(3900);
        assertThat(Timespans.seconds("10s")).isEqualTo(10);
        assertThat(Timespans.seconds("1.500s")).isEqualTo(1);
        assertThat(Timespans.seconds("5s 500ms")).isEqualTo(5);
    }

    @Test
    void whatIsNotASpanIsMinusOne() {
        assertThat(Timespans.seconds("infinity")).isEqualTo(-1);
        assertThat(Timespans.seconds("")).isEqualTo(-1);
        assertThat(Timespans.seconds("2 minutes")).isEqualTo(-1);
    }
}

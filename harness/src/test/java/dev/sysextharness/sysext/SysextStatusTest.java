package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SysextStatusTest {
    @Test
    void noneIsAStringAndMergedIsAnArray() {
        SysextStatus s = SysextStatus.parse("""
                [{"hierarchy":"/usr/bin","extensions":["hello","kubo"],"since":1764125018000000},
                 {"hierarchy":"/usr/include","extensions":"none","since":null},
                 {"hierarchy":"/usr/lib","extensions":["hello"],"since":1764125018000000}]""");
        assertThat(s.hierarchiesWith("hello")).containsExactly("/usr/bin", "/usr/lib");
        assertThat(s.hierarchiesWith("kubo")).containsExactly("/usr/bin");
        assertThat(s.extensionsOn("/usr/include")).isEmpty();
        assertThat(s.anyMerged()).isTrue();
    }

    @Test
    void nothingMerged() {
        SysextStatus s = SysextStatus.parse("[{\"hierarchy\":\"/opt\",\"extensions\":\"none\",\"since\":null}]");
        assertThat(s.anyMerged()).isFalse();
        assertThat(s.hierarchiesWith("hello")).isEmpty();
    }

    @Test
    void anythingElseIsRefusedNotGuessed() {
        assertThatThrownBy(() -> SysextStatus.parse("[{\"hierarchy\":\"/usr\",\"extensions\":\"hello\"}]"))
                .hasMessageContaining("unexpected 'extensions' value");
        assertThatThrownBy(() -> SysextStatus.parse("HIERARCHY EXTENSIONS SINCE")).hasMessageContaining("not JSON");
    }

    @Test
    void mergeExpectationFollowsTheHierarchyListAndTheTree() {
        List<String> kairos = List.of("/usr/local/bin", "/usr/local/lib", "/usr/bin", "/usr/share", "/usr/lib", "/usr/sbin");
        List<String> files = List.of("usr/bin/hello", "usr/share/hello/greeting.txt", "opt/hello/data.txt",
                "usr/lib/extension-release.d/extension-release.hello");
        assertThat(MergeExpectation.hierarchiesFor(kairos, files)).containsExactly("/usr/bin", "/usr/share", "/usr/lib");
        assertThat(MergeExpectation.unmergedFiles(kairos, files)).containsExactly("opt/hello/data.txt");
        List<String> withOpt = new java.util.ArrayList<>(kairos);
        withOpt.add("/opt");
        assertThat(MergeExpectation.hierarchiesFor(withOpt, files)).contains("/opt");
        assertThat(MergeExpectation.hierarchiesFor(List.of("/usr/local/lib"), List.of("usr/lib/x"))).isEmpty();
    }
}

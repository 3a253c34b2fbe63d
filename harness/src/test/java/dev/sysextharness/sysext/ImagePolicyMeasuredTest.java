package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.sysext.MergeOracle.Image;
import dev.sysextharness.sysext.MergeOracle.Kind;
import dev.sysextharness.sysext.MergeOracle.Prediction;
import dev.sysextharness.sysext.MergeOracle.Trust;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle against every row measured on the four reference flavors (test resources measured/ddi-policy-*.txt: a
 * naked squashfs and four DDIs made by systemd-repart, each alone, refreshed under no policy and Kairos's three, with
 * the trusted key's certificate nowhere, in /run/verity.d, in /etc/verity.d). The rows were measured once, by hand, to
 * find the rules; this test keeps the rules written in {@link MergeOracle#admission} and the {@code Capability} rows
 * from drifting away from what the nodes did.
 */
class ImagePolicyMeasuredTest {
    private static final Pattern ROW = Pattern.compile("trust=(\\S+) img=(\\S+) policy=(\\S+) rc=(\\d+) merged=(\\S+)");
    private static final String TRUSTED = "36bf6b429b7845eee0df5ab5694a05470d800b8af759f0614e36756c1529b9b0";
    private static final String UNTRUSTED = "f78e0bb1fa68d5b1f1939428c6eb7ba5de09a529644a5a8212c1a3b509d75469";
    private static final Map<Integer, SystemdVersion> MEASURED = Map.of(252, new SystemdVersion(252, 39),
            254, new SystemdVersion(254, 26), 257, new SystemdVersion(257, 13), 262, new SystemdVersion(262, 1));

    static Stream<Arguments> rows() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        for (int major : List.of(252, 254, 257, 262)) {
            try (InputStream in = ImagePolicyMeasuredTest.class.getResourceAsStream("/measured/ddi-policy-" + major + ".txt")) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                    Matcher m = ROW.matcher(line);
                    if (!m.matches()) {
                        continue;
                    }
                    String policy = m.group(3).equals("none") ? null : m.group(3);
                    if (major < 254 && policy != null) {
                        continue; // 252 has no --image-policy: those rows measured only its usage error
                    }
                    rows.add(Arguments.of(MEASURED.get(major), m.group(1), m.group(2), policy, Integer.parseInt(m.group(4)),
                            m.group(5).equals("MERGED")));
                }
            }
        }
        assertThat(rows).as("measured rows").hasSize(3 * 5 + 3 * (3 * 5 * 4));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} trust={1} {2} policy={3}: exit {4}, merged {5}")
    @MethodSource("rows")
    void theOracleAgreesWithTheNode(SystemdVersion v, String trust, String img, String policy, int exit, boolean merged) {
        Kind kind = switch (img) {
            case "sq", "plain" -> Kind.UNPROTECTED_RAW;
            case "verity" -> Kind.VERITY_RAW;
            default -> Kind.SIGNED_RAW;
        };
        String signer = img.equals("signed") ? TRUSTED : img.equals("untrusted") ? UNTRUSTED : null;
        Image image = new Image("/var/lib/extensions", "ddi.raw", kind, "ddi", Map.of("ID", "_any"), false, false,
                List.of("usr/share/ddi/marker", "usr/bin/ddi-hello", "usr/lib/extension-release.d/extension-release.ddi"), signer);
        Trust t = trust.equals("none") ? Trust.NONE : Trust.verityDirs(TRUSTED);
        Prediction p = MergeOracle.predict(v, policy, List.of("/usr", "/opt"), Map.of("ID", "debian"), List.of(image), t);
        assertThat(p.exitStatus()).as("exit status predicted: %s", p.describe()).isEqualTo(exit);
        assertThat(p.merged().contains("ddi")).as("merged predicted: %s", p.describe()).isEqualTo(merged);
    }
}

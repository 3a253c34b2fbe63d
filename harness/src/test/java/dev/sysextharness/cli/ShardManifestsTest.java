package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.scenario.Shard;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes Jobs and the GitHub Actions workflow in harness/ci/: their command lines, expanded for every index as
 * the cluster or the runner expands them, parse with the real command line, cover shards 0..N-1 exactly once with N
 * equal to the Job's completions or the matrix's size, and the merge step names every shard's report directory.
 */
class ShardManifestsTest {
    private static final Path CI = Workspace.locate(null).root().resolve("harness/ci");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern KUBERNETES_VARIABLE = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");
    private static final Pattern GITHUB_EXPRESSION = Pattern.compile("\\$\\{\\{\\s*([a-z_.]+)\\s*}}");

    private static JsonNode yaml(String file) throws IOException {
        return YAML.readTree(CI.resolve(file).toFile());
    }

    /** The words of the harness command on the script line that runs it (the scripts quote nothing), after the program. */
    private static List<String> harnessArguments(String script, String subcommand) {
        String line = script.lines().map(String::strip).filter(l -> l.contains("harness/bin/sysext-harness " + subcommand)).findFirst()
                .orElseThrow(() -> new AssertionError("no line running sysext-harness " + subcommand + " in:\n" + script));
        List<String> words = List.of(line.split("\\s+"));
        return words.subList(words.indexOf("harness/bin/sysext-harness") + 1, words.size());
    }

    private static String expand(String text, Pattern variable, Map<String, String> values) {
        Matcher m = variable.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(values).as("a value for %s in %s", m.group(1), text).containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        return m.appendTail(out).toString();
    }

    private static CommandLine.ParseResult parse(List<String> args) {
        return new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
    }

    /** A run's shard and report directory, read by the real parser. */
    private record ShardRun(Shard shard, Path reportDir) {
        static ShardRun of(List<String> args) {
            CommandLine.ParseResult run = parse(args).subcommand();
            assertThat(run.commandSpec().name()).as("subcommand of %s", args).isEqualTo("run");
            String runId = run.matchedOptionValue("--run-id", (String) null);
            Path parent = run.matchedOptionValue("--report-dir", (Path) null);
            assertThat(runId).as("--run-id in %s", args).isNotNull();
            assertThat(parent).as("--report-dir in %s", args).isNotNull();
            return new ShardRun(Shard.parse(run.matchedOptionValue("--shard", (String) null)), parent.resolve(runId));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Path> mergedDirectories(List<String> args) {
        CommandLine.ParseResult merge = parse(args).subcommand().subcommand();
        assertThat(merge.commandSpec().qualifiedName()).as("command of %s", args).isEqualTo("sysext-harness report merge");
        return (List<Path>) merge.matchedPositionals().get(0).getValue();
    }

    /** Each shard's directory named by exactly one of the merge's arguments (a path or a shell glob). */
    private static void assertMergeNames(List<Path> mergeArguments, List<Path> shardDirs) {
        for (Path dir : shardDirs) {
            assertThat(mergeArguments.stream().filter(a -> a.equals(dir)
                    || FileSystems.getDefault().getPathMatcher("glob:" + a).matches(dir)).toList())
                    .as("merge arguments %s naming shard directory %s", mergeArguments, dir).hasSize(1);
        }
    }

    private static void assertEveryIndexOnce(List<ShardRun> runs, int count) {
        assertThat(runs.stream().map(r -> r.shard().index()).sorted().toList()).as("shard indexes")
                .isEqualTo(IntStream.range(0, count).boxed().toList());
        assertThat(runs).as("every shard of N = %d", count).allSatisfy(r -> assertThat(r.shard().count()).isEqualTo(count));
        assertThat(runs.stream().map(ShardRun::reportDir).distinct().count()).as("a report directory per shard").isEqualTo(count);
    }

    @Test
    void theKubernetesJobsRunEveryShardOnceAndMergeThemAll() throws IOException {
        JsonNode job = yaml("kubernetes/sysext-harness-shards.yaml");
        assertThat(job.path("kind").asText()).isEqualTo("Job");
        assertThat(job.path("spec").path("completionMode").asText()).isEqualTo("Indexed");
        int completions = job.path("spec").path("completions").asInt();
        assertThat(job.path("spec").path("parallelism").asInt()).as("parallelism").isEqualTo(completions);
        JsonNode container = job.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("debian:12");
        assertThat(container.path("resources").path("limits").path("devices.kubevirt.io/kvm").asText()).isEqualTo("1");
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));

        List<ShardRun> runs = new ArrayList<>();
        for (int i = 0; i < completions; i++) {
            Map<String, String> pod = new HashMap<>(env);
            pod.put("JOB_COMPLETION_INDEX", Integer.toString(i));
            String script = expand(container.path("args").get(0).asText(), KUBERNETES_VARIABLE, pod);
            runs.add(ShardRun.of(harnessArguments(script, "run")));
        }
        assertEveryIndexOnce(runs, completions);

        JsonNode mergeJob = yaml("kubernetes/sysext-harness-merge.yaml");
        JsonNode merger = mergeJob.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> mergeEnv = new HashMap<>();
        merger.path("env").forEach(e -> mergeEnv.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(mergeEnv.get("RUN_ID")).as("the merge's RUN_ID is the shards'").isEqualTo(env.get("RUN_ID"));
        String script = expand(merger.path("args").get(0).asText(), KUBERNETES_VARIABLE, mergeEnv);
        assertMergeNames(mergedDirectories(harnessArguments(script, "report merge")), runs.stream().map(ShardRun::reportDir).toList());
    }

    @Test
    void theGithubMatrixRunsEveryShardOnceUploadsEachAndMergesThemAll() throws IOException {
        JsonNode workflow = yaml("github/sysext-harness-matrix.yml");
        JsonNode shardJob = workflow.path("jobs").path("shard");
        List<Integer> indexes = new ArrayList<>();
        shardJob.path("strategy").path("matrix").path("index").forEach(n -> indexes.add(n.asInt()));
        assertThat(shardJob.path("strategy").path("fail-fast").asBoolean(true)).as("fail-fast").isFalse();

        List<ShardRun> runs = new ArrayList<>();
        List<Path> downloaded = new ArrayList<>();
        JsonNode mergeJob = workflow.path("jobs").path("merge");
        JsonNode download = step(mergeJob, "actions/download-artifact");
        for (int index : indexes) {
            Map<String, String> values = Map.of("matrix.index", Integer.toString(index), "github.run_id", "4242");
            String script = expand(stepRunning(shardJob, "sysext-harness run").path("run").asText(), GITHUB_EXPRESSION, values);
            ShardRun run = ShardRun.of(harnessArguments(script, "run"));
            runs.add(run);
            JsonNode upload = step(shardJob, "actions/upload-artifact");
            assertThat(Path.of(expand(upload.path("with").path("path").asText(), GITHUB_EXPRESSION, values)))
                    .as("shard %d uploads its report directory", index).isEqualTo(run.reportDir());
            String artifact = expand(upload.path("with").path("name").asText(), GITHUB_EXPRESSION, values);
            assertThat(FileSystems.getDefault().getPathMatcher("glob:" + download.path("with").path("pattern").asText())
                    .matches(Path.of(artifact))).as("the merge job downloads artifact %s", artifact).isTrue();
            downloaded.add(Path.of(download.path("with").path("path").asText()).resolve(artifact)); // one directory per artifact
        }
        assertEveryIndexOnce(runs, indexes.size());

        assertThat(mergeJob.path("needs").asText()).as("the merge waits for the shards").isEqualTo("shard");
        String script = expand(stepRunning(mergeJob, "report merge").path("run").asText(), GITHUB_EXPRESSION, Map.of("github.run_id", "4242"));
        assertMergeNames(mergedDirectories(harnessArguments(script, "report merge")), downloaded);
    }

    private static JsonNode step(JsonNode job, String uses) {
        for (JsonNode s : job.path("steps")) {
            if (s.path("uses").asText().startsWith(uses + "@")) {
                return s;
            }
        }
        throw new AssertionError("no step using " + uses);
    }

    private static JsonNode stepRunning(JsonNode job, String command) {
        for (JsonNode s : job.path("steps")) {
            if (s.path("run").asText().contains(command)) {
                return s;
            }
        }
        throw new AssertionError("no step running " + command);
    }
}

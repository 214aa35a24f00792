package dev.adjoint.gradbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every eval at small sizes through GradBench's own harness ({@code ../shared/gradbench/run}),
 * which validates each output against GradBench's golden implementation. Validation only: no
 * timing is asserted here (see gradbench/run-all.sh for the ratio table).
 */
class EvalsTest {
  /** Each eval's arguments for a small, quick run (the eval's options are in its run.py). */
  static final Map<String, List<String>> SMALL = Map.ofEntries(
      Map.entry("ba", List.of("--min", "1", "--max", "1", "--min-seconds", "0")),
      Map.entry("det", List.of("-l", "3", "6", "--min-seconds", "0")),
      Map.entry("gmm", List.of("-d", "2", "10", "-k", "5", "10", "-n", "100", "--min-seconds", "0")),
      Map.entry("hello", List.of()),
      Map.entry("ht", List.of("--min", "1", "--max", "2", "--model", "small", "--min-seconds", "0")),
      Map.entry("kmeans", List.of("-k", "5", "-n", "200", "-d", "3", "--min-seconds", "0")),
      Map.entry("llsq", List.of("-n", "16", "1024", "-m", "8", "--min-seconds", "0")),
      Map.entry("lse", List.of("-n", "10", "1000", "--min-seconds", "0")),
      Map.entry("lstm", List.of("-l", "2", "-c", "64", "--min-seconds", "0")),
      Map.entry("ode", List.of("-n", "10", "1000", "-s", "1", "10", "--min-seconds", "0")),
      Map.entry("particle", List.of("--min-seconds", "0")),
      Map.entry("saddle", List.of("--min-seconds", "0")));

  static List<String> evals() {
    return SMALL.keySet().stream().sorted().toList();
  }

  /** The harness, from the repository root: {@code ../shared/gradbench/run}. */
  static Path harness() {
    Path root = Path.of("").toAbsolutePath();
    if (root.getFileName().toString().equals("gradbench")) root = root.getParent();
    return root.resolveSibling("shared").resolve("gradbench").resolve("run");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evals")
  void validAgainstGradBenchsGoldenOutputs(String eval) throws IOException, InterruptedException {
    Path run = harness();
    assertTrue(Files.isRegularFile(run), "GradBench's harness is missing: " + run);
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String tool = ProcessHandle.current().info().command().orElse("java")
        + " -cp '" + classPath + "' "
        + Tool.class.getName();
    List<String> command = new ArrayList<>(List.of("python3", run.toString(), eval, "--tool", tool,
        "--timeout", "600", "--"));
    command.addAll(SMALL.get(eval));
    Path log = Files.createTempFile("gradbench-" + eval, ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), eval + " did not finish");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertEquals(0, p.exitValue(), eval + " failed:\n" + out);
  }
}

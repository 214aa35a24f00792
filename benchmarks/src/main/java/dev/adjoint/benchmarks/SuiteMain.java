package dev.adjoint.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the issue-7 suite (scalar gradients, the MLP training step and, when compiled with
 * {@code -Ppeers}, libtorch) with JMH and prints the results as Markdown: times, the ratios the
 * targets are stated in, and bytes allocated per call. Usage:
 *
 * <pre>
 * java -cp benchmarks.jar dev.adjoint.benchmarks.SuiteMain [--markdown FILE] [JMH options]
 * </pre>
 *
 * With no benchmark regex among the JMH options the whole suite runs, in groups that keep what
 * is compared close together in time; {@code -prof gc} is added unless a profiler is given. {@code benchmarks/run-suite.sh} is the documented way to call it.
 */
public final class SuiteMain {
  /** The MLP step, generated and hand-written, and libtorch's. */
  static final String MLP = "tensor\\.MlpStepBenchmark|peers\\.LibtorchMlpStepBenchmark";
  /** The scalar suite and libtorch's Rosenbrock gradient. */
  static final String SCALAR = "scalar\\.|peers\\.LibtorchRosenbrockBenchmark";

  private SuiteMain() {}

  public static void main(String[] args) throws Exception {
    List<String> jmh = new ArrayList<>(Arrays.asList(args));
    Path markdown = null;
    int at = jmh.indexOf("--markdown");
    if (at >= 0) {
      markdown = Paths.get(jmh.get(at + 1));
      jmh.subList(at, at + 2).clear();
    }
    if (new CommandLineOptions(jmh.toArray(new String[0])).getProfilers().isEmpty()) {
      jmh.add("-prof");
      jmh.add("gc");
    }
    CommandLineOptions options = new CommandLineOptions(jmh.toArray(new String[0]));
    String loadBefore = SuiteReport.loadAverage();
    long start = System.nanoTime();
    List<RunResult> results = new ArrayList<>();
    if (!options.getIncludes().isEmpty()) {
      results.addAll(new Runner(options).run());
    } else {
      // The machine's load drifts over minutes, so what is compared runs close together: the
      // MLP step of each thread count next to libtorch's, then the scalar suite.
      for (String threads : new String[] {"1", "2"}) {
        results.addAll(run(options, MLP, threads));
      }
      results.addAll(run(options, SCALAR, null));
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    String command = String.join(" ", jmh);
    String report = new SuiteReport(results).markdown(
        command.isEmpty() ? "(the suite's defaults)" : command, loadBefore,
        SuiteReport.loadAverage(), minutes);
    System.out.println();
    System.out.println(report);
    if (markdown != null) {
      Files.write(markdown, report.getBytes(StandardCharsets.UTF_8));
      System.out.println("(written to " + markdown + ")");
    }
  }

  private static Collection<RunResult> run(Options parent, String include, String threads)
      throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder().parent(parent).include(include);
    if (threads != null) {
      b.param("threads", threads);
    }
    try {
      return new Runner(b.build()).run();
    } catch (NoBenchmarksException e) {
      return List.of(); // e.g. the peers when built without -Ppeers
    }
  }

  static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}

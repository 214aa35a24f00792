package dev.adjoint.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Main class of {@code benchmarks.jar}: runs JMH with the given command line (same options as
 * JMH's own main, e.g. a benchmark regex, {@code -f}, {@code -wi}, {@code -p n=256}), then
 * prints the matmul results as a Markdown table of GFLOP/s (2n³ / average time). With
 * {@code -bm sample} each cell also gives the GFLOP/s of the median and of the fastest call,
 * which are less disturbed than the mean when other programs share the machine.
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions options = new CommandLineOptions(args);
    if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
        || options.shouldListProfilers() || options.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Collection<RunResult> results = new Runner(options).run();
    printGflops(results);
  }

  /** One row per (implementation, threads), one column per n. */
  static void printGflops(Collection<RunResult> results) {
    Map<String, Map<Integer, String>> rows = new LinkedHashMap<>();
    TreeSet<Integer> sizes = new TreeSet<>();
    for (RunResult run : results) {
      BenchmarkParams params = run.getParams();
      String n = params.getParam("n");
      Result<?> primary = run.getPrimaryResult();
      double seconds = secondsPerOp(primary.getScore(), primary.getScoreUnit());
      if (n == null || Double.isNaN(seconds)) continue;
      int size = Integer.parseInt(n);
      double flop = 2.0 * size * size * size;
      double gflops = flop / seconds / 1e9;
      double error = primary.getScoreError();
      String cell;
      if (params.getMode() == Mode.SampleTime) {
        // per-call samples: the median and the best call resist interference from other load
        double median = secondsPerOp(primary.getStatistics().getPercentile(50), primary.getScoreUnit());
        double best = secondsPerOp(primary.getStatistics().getMin(), primary.getScoreUnit());
        cell = String.format(Locale.ROOT, "%.1f (median %.1f, best %.1f)",
            gflops, flop / median / 1e9, flop / best / 1e9);
      } else if (Double.isNaN(error) || error == 0) {
        cell = String.format(Locale.ROOT, "%.1f", gflops);
      } else {
        cell = String.format(Locale.ROOT, "%.1f ± %.1f", gflops, gflops * error / primary.getScore());
      }
      String impl = params.getParam("impl");
      String threads = params.getParam("threads");
      String benchmark = params.getBenchmark();
      String label = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1)
          + (impl != null ? " " + impl : "") + (threads != null ? ", " + threads + " thr" : "");
      rows.computeIfAbsent(label, x -> new LinkedHashMap<>()).put(size, cell);
      sizes.add(size);
    }
    if (rows.isEmpty()) return;
    StringBuilder out = new StringBuilder("\nGFLOP/s (2n^3 / mean time; ± is JMH's 99.9% error)\n\n");
    List<String> header = new ArrayList<>();
    header.add("benchmark");
    for (int size : sizes) header.add("n = " + size);
    out.append("| ").append(String.join(" | ", header)).append(" |\n|");
    out.append("---|".repeat(header.size())).append('\n');
    for (Map.Entry<String, Map<Integer, String>> row : rows.entrySet()) {
      out.append("| ").append(row.getKey());
      for (int size : sizes) out.append(" | ").append(row.getValue().getOrDefault(size, ""));
      out.append(" |\n");
    }
    System.out.println(out);
  }

  private static double secondsPerOp(double score, String unit) {
    switch (unit) {
      case "s/op": return score;
      case "ms/op": return score * 1e-3;
      case "us/op": return score * 1e-6;
      case "ns/op": return score * 1e-9;
      case "ops/s": return 1 / score;
      case "ops/ms": return 1e-3 / score;
      case "ops/us": return 1e-6 / score;
      case "ops/ns": return 1e-9 / score;
      default: return Double.NaN;
    }
  }
}

package dev.adjoint.benchmarks;

import java.nio.file.Paths;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns the suite's JMH results into the Markdown of the README's results section. Benchmarks
 * are looked up by simple class name, method and (for the tensor suite) thread count; a missing
 * one shows as "–", so a partial run still prints.
 */
final class SuiteReport {
  private static final String[][] SCALAR = {
      // class, label, straight-line?
      {"RosenbrockBenchmark", "Rosenbrock, 2 variables", "yes"},
      {"MixedBenchmark", "sin/exp/log/sqrt/tanh/division, 3 variables", "yes"},
      {"ExtendedRosenbrockBenchmark", "extended Rosenbrock, double[1000] (loop)", "no"},
      {"LogisticLossBenchmark", "logistic loss, n = 2000, d = 10, wrt w (loops, branch)", "no"},
      {"HuberSmoothnessBenchmark", "Huber smoothness, double[1000] (branches in a loop)", "no"},
  };

  private final Map<String, Result<?>> primary = new HashMap<>();
  private final Map<String, Double> bytesPerOp = new HashMap<>();

  SuiteReport(Collection<RunResult> results) {
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      String[] parts = name.split("\\.");
      String key = parts[parts.length - 2] + "." + parts[parts.length - 1];
      String threads = run.getParams().getParam("threads");
      if (threads != null) {
        key += "@" + threads;
      }
      primary.put(key, run.getPrimaryResult());
      for (Map.Entry<String, Result> e : run.getSecondaryResults().entrySet()) {
        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
          bytesPerOp.put(key, e.getValue().getScore());
        }
      }
    }
  }

  String markdown(String command, String loadBefore, String loadAfter, double minutes) {
    StringBuilder md = new StringBuilder();
    md.append("Machine: ").append(cpu()).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores; JDK ")
        .append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.vm.version")).append("; JMH 1.37.  \n");
    md.append("Load average (1, 5, 15 min) before: ").append(loadBefore).append(", after: ")
        .append(loadAfter).append(String.format(Locale.ROOT, "; run took %.1f min.  %n", minutes));
    md.append("JMH options: `").append(command).append("`\n\n");

    md.append("**Scalar suite**: average time per call in ns (± JMH's 99.9% interval). "
        + "`generated` is the record form, `into` the generated overload writing into the "
        + "caller's array; hand-written writes into the caller's array, `hand (alloc)` "
        + "allocates its gradient like the record form does; `tape` is the run-time tape "
        + "baseline.\n\n");
    md.append("| function | primal | generated | into | hand-written | hand (alloc) | tape |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (String[] f : SCALAR) {
      md.append("| ").append(f[1]);
      for (String m : new String[] {"primal", "generated", "generatedInto", "handWritten",
          "handWrittenNew", "tape"}) {
        md.append(" | ").append(time(f[0] + "." + m));
      }
      md.append(" |\n");
    }

    md.append("\n**Ratios** (targets: generated / hand-written ≤ 1.10; gradient / primal ≤ 2.5 "
        + "straight-line, ≤ 3.5 with loops; tape / generated ≥ 20; 0 B per call "
        + "straight-line). ✓ met, ✗ missed.\n\n");
    md.append("| function | generated / hand | into / hand | generated / hand (alloc) "
        + "| generated / primal | hand / primal | tape / generated "
        + "| B/call generated | B/call into | B/call hand | B/call tape |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String[] f : SCALAR) {
      String c = f[0];
      boolean straight = "yes".equals(f[2]);
      String best = c + (has(c + ".generatedInto") ? ".generatedInto" : ".generated");
      md.append("| ").append(f[1])
          .append(" | ").append(ratio(c + ".generated", c + ".handWritten", 1.10, true))
          .append(" | ").append(ratio(c + ".generatedInto", c + ".handWritten", 1.10, true))
          .append(" | ").append(ratio(c + ".generated", c + ".handWrittenNew", 1.10, true))
          .append(" | ").append(ratio(c + ".generated", c + ".primal", straight ? 2.5 : 3.5, true))
          .append(" | ").append(ratio(c + ".handWritten", c + ".primal", Double.NaN, true))
          .append(" | ").append(ratio(c + ".tape", best, 20, false))
          .append(" | ").append(bytes(c + ".generated", straight))
          .append(" | ").append(bytes(c + ".generatedInto", straight))
          .append(" | ").append(bytes(c + ".handWritten", false))
          .append(" | ").append(bytes(c + ".tape", false))
          .append(" |\n");
    }

    md.append("\n**MLP training step** (784-256-10, batch 128, tanh, softmax cross-entropy, "
        + "double; forward, backward, SGD update), ms per step. libtorch 2.7.1 through DJL "
        + "0.36.0 with `OMP_WAIT_POLICY=PASSIVE` and its intra-op threads set to the same count."
        + "\n\n");
    md.append("| threads | generated | hand-written | generated / hand | SGD update alone "
        + "| libtorch | generated / libtorch |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String t : new String[] {"1", "2"}) {
      String g = "MlpStepBenchmark.generated@" + t;
      String l = "LibtorchMlpStepBenchmark.step@" + t;
      md.append("| ").append(t)
          .append(" | ").append(time(g))
          .append(" | ").append(time("MlpStepBenchmark.handWritten@" + t))
          .append(" | ").append(ratio(g, "MlpStepBenchmark.handWritten@" + t, 1.10, true))
          .append(" | ").append(time("MlpStepBenchmark.sgdUpdate@" + t))
          .append(" | ").append(time(l))
          .append(" | ").append(ratio(g, l, 1.0, true))
          .append(" |\n");
    }

    md.append("\n**Rosenbrock gradient against libtorch** (same point), ns per call.\n\n");
    md.append("| libtorch, 1 thread | libtorch, 2 threads | generated | into "
        + "| libtorch (1 thread) / generated |\n");
    md.append("|---:|---:|---:|---:|---:|\n");
    md.append("| ").append(time("LibtorchRosenbrockBenchmark.gradient@1"))
        .append(" | ").append(time("LibtorchRosenbrockBenchmark.gradient@2"))
        .append(" | ").append(time("RosenbrockBenchmark.generated"))
        .append(" | ").append(time("RosenbrockBenchmark.generatedInto"))
        .append(" | ").append(ratio("LibtorchRosenbrockBenchmark.gradient@1",
            "RosenbrockBenchmark.generated", Double.NaN, false))
        .append(" |\n");
    return md.toString();
  }

  private boolean has(String key) {
    return primary.containsKey(key);
  }

  private String time(String key) {
    Result<?> r = primary.get(key);
    if (r == null) {
      return "–";
    }
    double score = r.getScore();
    double error = r.getScoreError();
    String digits = score >= 100 ? "%.0f" : score >= 10 ? "%.1f" : "%.2f";
    String s = String.format(Locale.ROOT, digits, score);
    if (!Double.isNaN(error)) {
      s += " ± " + String.format(Locale.ROOT, digits, error);
    }
    return s;
  }

  /** a / b, marked against the target when there is one (at most, or at least). */
  private String ratio(String a, String b, double target, boolean atMost) {
    Result<?> ra = primary.get(a);
    Result<?> rb = primary.get(b);
    if (ra == null || rb == null) {
      return "–";
    }
    double r = nanos(ra) / nanos(rb);
    String s = String.format(Locale.ROOT, r >= 100 ? "%.0f" : "%.2f", r);
    if (!Double.isNaN(target)) {
      s += (atMost ? r <= target : r >= target) ? " ✓" : " ✗";
    }
    return s;
  }

  private String bytes(String key, boolean mustBeZero) {
    Double b = bytesPerOp.get(key);
    if (b == null) {
      return "–";
    }
    // JMH's per-op figure carries the harness's own allocations spread over the ops: below one
    // byte per call is no allocation in the measured code
    long rounded = b < 1 ? 0 : Math.round(b);
    return rounded + (mustBeZero ? (rounded == 0 ? " ✓" : " ✗") : "");
  }

  private static double nanos(Result<?> r) {
    double s = r.getScore();
    switch (r.getScoreUnit()) {
      case "s/op": return s * 1e9;
      case "ms/op": return s * 1e6;
      case "us/op": return s * 1e3;
      case "ns/op": return s;
      default: throw new IllegalArgumentException(r.getScoreUnit());
    }
  }

  static String loadAverage() {
    String[] f = SuiteMain.read(Paths.get("/proc/loadavg")).trim().split("\\s+");
    return f.length >= 3 ? f[0] + ", " + f[1] + ", " + f[2] : "unknown";
  }

  private static String cpu() {
    for (String line : SuiteMain.read(Paths.get("/proc/cpuinfo")).split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }
}

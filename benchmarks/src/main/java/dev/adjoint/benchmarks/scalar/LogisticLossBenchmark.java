package dev.adjoint.benchmarks.scalar;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Mean logistic loss over n = 2000 examples of d = 10 features, gradient with respect to the
 * weights (nested loops, a branch per example). Variants as in
 * {@link ExtendedRosenbrockBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LogisticLossBenchmark {
  final Inputs.Logistic in = Inputs.logistic();
  final double[] w = in.w();
  final double[] x = in.x();
  final double[] y = in.y();
  final double[] g = new double[w.length];
  int n = in.n();
  int d = in.d();

  @Setup
  public void setUp() {
    ScalarFunctionsGrad.LogisticLoss r = ScalarFunctionsGrad.logisticLoss(w, x, y, n, d);
    Agreement.check("handWritten", r.value(), r.w(), HandGradients.logisticLoss(w, x, y, n, d, g),
        g);
    HandGradients.ValueAndGradient h = HandGradients.logisticLossNew(w, x, y, n, d);
    Agreement.check("handWrittenNew", r.value(), r.w(), h.value(), h.gradient());
    Agreement.check("tape", r.value(), r.w(), TapeGradients.logisticLoss(w, x, y, n, d, g), g);
    Agreement.check("generatedInto", r.value(), r.w(), generatedInto(), g);
  }

  @Benchmark
  public double primal() {
    return ScalarFunctions.logisticLoss(w, x, y, n, d);
  }

  @Benchmark
  public double generated(Blackhole bh) {
    ScalarFunctionsGrad.LogisticLoss r = ScalarFunctionsGrad.logisticLoss(w, x, y, n, d);
    bh.consume(r.w());
    return r.value();
  }

  /** The generated overload writing the gradient into the caller's array. */
  @Benchmark
  public double generatedInto() {
    return ScalarFunctionsGrad.logisticLoss(w, x, y, n, d, g);
  }

  @Benchmark
  public double handWritten() {
    return HandGradients.logisticLoss(w, x, y, n, d, g);
  }

  @Benchmark
  public double handWrittenNew(Blackhole bh) {
    HandGradients.ValueAndGradient r = HandGradients.logisticLossNew(w, x, y, n, d);
    bh.consume(r.gradient());
    return r.value();
  }

  @Benchmark
  public double tape() {
    return TapeGradients.logisticLoss(w, x, y, n, d, g);
  }
}

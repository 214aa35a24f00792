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
 * Branches inside a loop: the Huber penalty on neighbouring differences of {@code double[1000]},
 * with inputs drawn so that each of the three branches is taken about a third of the time in
 * no predictable order. Variants as in {@link ExtendedRosenbrockBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HuberSmoothnessBenchmark {
  final double[] x = Inputs.huber();
  final double[] g = new double[x.length];
  double delta = Inputs.HUBER_DELTA;

  @Setup
  public void setUp() {
    ScalarFunctionsGrad.HuberSmoothness r = ScalarFunctionsGrad.huberSmoothness(x, delta);
    Agreement.check("handWritten", r.value(), r.x(), HandGradients.huberSmoothness(x, delta, g),
        g);
    HandGradients.ValueAndGradient h = HandGradients.huberSmoothnessNew(x, delta);
    Agreement.check("handWrittenNew", r.value(), r.x(), h.value(), h.gradient());
    Agreement.check("tape", r.value(), r.x(), TapeGradients.huberSmoothness(x, delta, g), g);
    Agreement.check("generatedInto", r.value(), r.x(), generatedInto(), g);
  }

  @Benchmark
  public double primal() {
    return ScalarFunctions.huberSmoothness(x, delta);
  }

  @Benchmark
  public double generated(Blackhole bh) {
    ScalarFunctionsGrad.HuberSmoothness r = ScalarFunctionsGrad.huberSmoothness(x, delta);
    bh.consume(r.x());
    return r.value();
  }

  /** The generated overload writing the gradient into the caller's array. */
  @Benchmark
  public double generatedInto() {
    return ScalarFunctionsGrad.huberSmoothness(x, delta, g);
  }

  @Benchmark
  public double handWritten() {
    return HandGradients.huberSmoothness(x, delta, g);
  }

  @Benchmark
  public double handWrittenNew(Blackhole bh) {
    HandGradients.ValueAndGradient r = HandGradients.huberSmoothnessNew(x, delta);
    bh.consume(r.gradient());
    return r.value();
  }

  @Benchmark
  public double tape() {
    return TapeGradients.huberSmoothness(x, delta, g);
  }
}

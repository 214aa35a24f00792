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
 * The extended Rosenbrock function over {@code double[1000]} (a loop). The generated record form
 * allocates its gradient array (there is no array-writing overload for array parameters), so the
 * hand-written gradient is timed both writing into the caller's array ({@code handWritten}) and
 * allocating it ({@code handWrittenNew}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ExtendedRosenbrockBenchmark {
  final double[] x = Inputs.extendedRosenbrock();
  final double[] g = new double[x.length];

  @Setup
  public void setUp() {
    ScalarFunctionsGrad.ExtendedRosenbrock r = ScalarFunctionsGrad.extendedRosenbrock(x);
    Agreement.check("handWritten", r.value(), r.x(), HandGradients.extendedRosenbrock(x, g), g);
    HandGradients.ValueAndGradient h = HandGradients.extendedRosenbrockNew(x);
    Agreement.check("handWrittenNew", r.value(), r.x(), h.value(), h.gradient());
    Agreement.check("tape", r.value(), r.x(), TapeGradients.extendedRosenbrock(x, g), g);
    Agreement.check("generatedInto", r.value(), r.x(), generatedInto(), g);
  }

  @Benchmark
  public double primal() {
    return ScalarFunctions.extendedRosenbrock(x);
  }

  @Benchmark
  public double generated(Blackhole bh) {
    ScalarFunctionsGrad.ExtendedRosenbrock r = ScalarFunctionsGrad.extendedRosenbrock(x);
    bh.consume(r.x());
    return r.value();
  }

  /** The generated overload writing the gradient into the caller's array. */
  @Benchmark
  public double generatedInto() {
    return ScalarFunctionsGrad.extendedRosenbrock(x, g);
  }

  @Benchmark
  public double handWritten() {
    return HandGradients.extendedRosenbrock(x, g);
  }

  @Benchmark
  public double handWrittenNew(Blackhole bh) {
    HandGradients.ValueAndGradient r = HandGradients.extendedRosenbrockNew(x);
    bh.consume(r.gradient());
    return r.value();
  }

  @Benchmark
  public double tape() {
    return TapeGradients.extendedRosenbrock(x, g);
  }
}

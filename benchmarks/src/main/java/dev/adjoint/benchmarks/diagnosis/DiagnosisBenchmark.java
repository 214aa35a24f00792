package dev.adjoint.benchmarks.diagnosis;

import dev.adjoint.benchmarks.scalar.Inputs;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not part of the suite: times the {@link GeneratedVariants} (the generated code changed in one
 * respect each) on the suite's inputs, to show which feature of the generated loop adjoints
 * costs what. Compare with the suite's {@code generated} and {@code handWritten(New)} of the
 * same function: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main
 * 'Diagnosis|scalar.(ExtendedRosenbrock|Huber|Logistic).*(generated|handWritten)'}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DiagnosisBenchmark {
  final double[] rosenbrock = Inputs.extendedRosenbrock();
  final double[] huber = Inputs.huber();
  double delta = Inputs.HUBER_DELTA;
  final Inputs.Logistic logistic = Inputs.logistic();
  final double[][] out = new double[1][];

  @Benchmark
  public double extendedRosenbrockReserved() {
    return GeneratedVariants.extendedRosenbrockReserved(rosenbrock, out) + out[0][0];
  }

  @Benchmark
  public double extendedRosenbrockRecompute() {
    return GeneratedVariants.extendedRosenbrockRecompute(rosenbrock, out) + out[0][0];
  }

  @Benchmark
  public double extendedRosenbrockFused() {
    return GeneratedVariants.extendedRosenbrockFused(rosenbrock, out) + out[0][0];
  }

  @Benchmark
  public double huberSmoothnessReserved() {
    return GeneratedVariants.huberSmoothnessReserved(huber, delta, out) + out[0][0];
  }

  @Benchmark
  public double huberSmoothnessRecompute() {
    return GeneratedVariants.huberSmoothnessRecompute(huber, delta, out) + out[0][0];
  }

  @Benchmark
  public double huberSmoothnessFused() {
    return GeneratedVariants.huberSmoothnessFused(huber, delta, out) + out[0][0];
  }

  @Benchmark
  public double logisticLossFused() {
    Inputs.Logistic l = logistic;
    return GeneratedVariants.logisticLossFused(l.w(), l.x(), l.y(), l.n(), l.d(), out)
        + out[0][0];
  }
}

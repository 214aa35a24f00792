package dev.adjoint.benchmarks.scalar;

import java.util.Random;
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

/**
 * {@link ScalarFunctions#mixed}: straight-line code with sin, exp, log, sqrt, tanh and divisions.
 * Variants as in {@link RosenbrockBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MixedBenchmark {
  double x;
  double y;
  double z;
  final double[] g = new double[3];

  @Setup
  public void setUp() {
    Random random = new Random(12);
    x = -2 + 4 * random.nextDouble();
    y = -2 + 4 * random.nextDouble();
    z = 0.5 + 1.5 * random.nextDouble();
    ScalarFunctionsGrad.Mixed r = ScalarFunctionsGrad.mixed(x, y, z);
    double[] expected = {r.x(), r.y(), r.z()};
    Agreement.check("handWritten", r.value(), expected, handWritten(), g);
    Agreement.check("generatedInto", r.value(), expected, generatedInto(), g);
    Agreement.check("tape", r.value(), expected, tape(), g);
  }

  @Benchmark
  public double primal() {
    return ScalarFunctions.mixed(x, y, z);
  }

  @Benchmark
  public double generated() {
    ScalarFunctionsGrad.Mixed r = ScalarFunctionsGrad.mixed(x, y, z);
    g[0] = r.x();
    g[1] = r.y();
    g[2] = r.z();
    return r.value();
  }

  @Benchmark
  public double generatedInto() {
    return ScalarFunctionsGrad.mixed(x, y, z, g);
  }

  @Benchmark
  public double handWritten() {
    return HandGradients.mixed(x, y, z, g);
  }

  @Benchmark
  public double tape() {
    return TapeGradients.mixed(x, y, z, g);
  }
}

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
 * Rosenbrock's function of two variables (straight-line code). Every variant returns the value
 * and leaves the gradient in {@code g}, so all do the same observable work: {@code generated}
 * copies the record's components there (the record itself should be scalar-replaced),
 * {@code generatedInto} is the generated overload that writes into the array.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RosenbrockBenchmark {
  double x;
  double y;
  final double[] g = new double[2];

  @Setup
  public void setUp() {
    Random random = new Random(11);
    x = -2 + 4 * random.nextDouble();
    y = -2 + 4 * random.nextDouble();
    ScalarFunctionsGrad.Rosenbrock r = ScalarFunctionsGrad.rosenbrock(x, y);
    double[] expected = {r.x(), r.y()};
    Agreement.check("handWritten", r.value(), expected, handWritten(), g);
    Agreement.check("generatedInto", r.value(), expected, generatedInto(), g);
    Agreement.check("tape", r.value(), expected, tape(), g);
  }

  @Benchmark
  public double primal() {
    return ScalarFunctions.rosenbrock(x, y);
  }

  @Benchmark
  public double generated() {
    ScalarFunctionsGrad.Rosenbrock r = ScalarFunctionsGrad.rosenbrock(x, y);
    g[0] = r.x();
    g[1] = r.y();
    return r.value();
  }

  @Benchmark
  public double generatedInto() {
    return ScalarFunctionsGrad.rosenbrock(x, y, g);
  }

  @Benchmark
  public double handWritten() {
    return HandGradients.rosenbrock(x, y, g);
  }

  @Benchmark
  public double tape() {
    return TapeGradients.rosenbrock(x, y, g);
  }
}

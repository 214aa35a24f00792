package dev.adjoint.benchmarks.peers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.adjoint.benchmarks.scalar.RosenbrockBenchmark;
import dev.adjoint.benchmarks.scalar.ScalarFunctions;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PEER: the gradient of Rosenbrock's function of two variables in libtorch through DJL, as in
 * {@link RosenbrockBenchmark} (same seeded point): two float64 scalars that require gradients,
 * the function recorded by autograd, {@code backward()}, both gradients read back and cleared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xms1g", "-Xmx1g"})
public class LibtorchRosenbrockBenchmark {
  @Param({"1", "2"})
  public int threads;

  Engine engine;
  NDManager base;
  NDArray x;
  NDArray y;
  final double[] g = new double[2];

  @Setup
  public void setUp() {
    engine = Libtorch.start(threads);
    base = engine.newBaseManager();
    Random random = new Random(11); // the point of RosenbrockBenchmark
    double px = -2 + 4 * random.nextDouble();
    double py = -2 + 4 * random.nextDouble();
    x = base.create(px);
    y = base.create(py);
    x.setRequiresGradient(true);
    y.setRequiresGradient(true);
    double value = gradient();
    double expected = ScalarFunctions.rosenbrock(px, py);
    double dx = -2 * (1 - px) - 400 * (py - px * px) * px;
    if (Math.abs(value - expected) > 1e-9 * Math.abs(expected)
        || Math.abs(g[0] - dx) > 1e-9 * Math.max(1, Math.abs(dx))) {
      throw new IllegalStateException("libtorch Rosenbrock disagrees: " + value + ", " + g[0]);
    }
  }

  @TearDown
  public void tearDown() {
    base.close();
  }

  @Benchmark
  public double gradient() {
    try (NDManager call = base.newSubManager()) {
      x.tempAttach(call);
      y.tempAttach(call);
      double value;
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray a = NDArrays.sub(1, x);
        NDArray b = y.sub(x.square());
        NDArray f = a.square().add(b.square().mul(100));
        collector.backward(f);
        value = f.getDouble();
      }
      NDArray gx = x.getGradient();
      NDArray gy = y.getGradient();
      gx.attach(call);
      gy.attach(call);
      g[0] = gx.getDouble();
      g[1] = gy.getDouble();
      JniUtils.zeroGrad((PtNDArray) x);
      JniUtils.zeroGrad((PtNDArray) y);
      return value;
    }
  }
}

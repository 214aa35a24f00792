package dev.adjoint.benchmarks;

import dev.adjoint.tensor.kernel.MatMul;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square double matmul C = A·B, n×n, with Adjoint's kernels and with EJML.
 *
 * <ul>
 *   <li>{@code vector}: {@link MatMul} with the Vector API kernel (the fork adds the module).
 *   <li>{@code scalar}: {@link MatMul} forced to the portable kernel, the one users get without
 *       {@code --add-modules jdk.incubator.vector}.
 *   <li>{@code ejml}: EJML's {@code CommonOps_DDRM.mult} on 1 thread and
 *       {@code CommonOps_MT_DDRM.mult} (its concurrent version) with
 *       {@code EjmlConcurrency.setMaxThreads} on more.
 * </ul>
 * GFLOP/s = 2n³ / time; {@link BenchmarkMain} prints them after the JMH run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class MatmulBenchmark {

  @Param({"64", "256", "512", "1024"})
  public int n;

  @Param({"1", "2"})
  public int threads;

  @Param({"vector", "scalar", "ejml"})
  public String impl;

  private double[] a;
  private double[] b;
  private double[] c;
  private DMatrixRMaj ea;
  private DMatrixRMaj eb;
  private DMatrixRMaj ec;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    a = new double[n * n];
    b = new double[n * n];
    c = new double[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextDouble() - 0.5;
      b[i] = random.nextDouble() - 0.5;
    }
    switch (impl) {
      case "vector":
        if (!MatMul.isVectorKernelAvailable()) {
          throw new IllegalStateException("vector kernel unavailable: " + MatMul.kernelName());
        }
        MatMul.useScalarKernel(false);
        MatMul.setThreads(threads);
        break;
      case "scalar":
        MatMul.useScalarKernel(true);
        MatMul.setThreads(threads);
        break;
      case "ejml":
        ea = DMatrixRMaj.wrap(n, n, a);
        eb = DMatrixRMaj.wrap(n, n, b);
        ec = new DMatrixRMaj(n, n);
        EjmlConcurrency.setMaxThreads(threads);
        break;
      default:
        throw new IllegalArgumentException(impl);
    }
  }

  @Benchmark
  public Object multiply() {
    if (ec != null) {
      if (threads == 1) CommonOps_DDRM.mult(ea, eb, ec);
      else CommonOps_MT_DDRM.mult(ea, eb, ec);
      return ec;
    }
    MatMul.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
    return c;
  }
}

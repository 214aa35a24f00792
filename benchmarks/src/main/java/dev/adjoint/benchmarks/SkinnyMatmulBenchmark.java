package dev.adjoint.benchmarks;

import dev.adjoint.tensor.kernel.MatMul;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The skinny products of a linear model over blocks of rows, on one thread: with a block X of
 * 128 rows × 784 features (one of 469 blocks of Fashion-MNIST, so X streams from memory as in
 * a real pass) and 10 classes,
 *
 * <ul>
 *   <li>{@code xw}: the logits X·W (128×784 by 784×10);
 *   <li>{@code xtg}: the weights' gradient Xᵀ·G (784×128 by 128×10);
 *   <li>{@code gtx}: the same gradient transposed, Gᵀ·X (10×128 by 128×784).
 * </ul>
 * One call runs the product over all 469 blocks; GFLOP/s = 2 · 60,032 · 784 · 10 / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class SkinnyMatmulBenchmark {
  static final int BLOCK = 128;
  static final int BLOCKS = 469;
  static final int COLS = 784;
  static final int CLASSES = 10;

  @Param({"xw", "xtg", "gtx"})
  public String product;

  private double[] x;
  private double[] w;
  private double[] g;
  private double[] out;

  @Setup
  public void setUp() {
    MatMul.setThreads(1);
    Random random = new Random(42);
    x = new double[BLOCKS * BLOCK * COLS];
    for (int i = 0; i < x.length; i++) x[i] = random.nextDouble() - 0.5;
    w = new double[COLS * CLASSES];
    for (int i = 0; i < w.length; i++) w[i] = random.nextDouble() - 0.5;
    g = new double[BLOCK * CLASSES];
    for (int i = 0; i < g.length; i++) g[i] = random.nextDouble() - 0.5;
    out = new double[COLS * CLASSES];
  }

  @Benchmark
  public double[] overAllBlocks() {
    for (int b = 0; b < BLOCKS; b++) {
      int xo = b * BLOCK * COLS;
      switch (product) {
        case "xw" -> MatMul.gemm(false, false, BLOCK, CLASSES, COLS, x, xo, COLS, w, 0, CLASSES,
            out, 0, CLASSES, false);
        case "xtg" -> MatMul.gemm(true, false, COLS, CLASSES, BLOCK, x, xo, COLS, g, 0, CLASSES,
            out, 0, CLASSES, false);
        default -> MatMul.gemm(true, false, CLASSES, COLS, BLOCK, g, 0, CLASSES, x, xo, COLS,
            out, 0, COLS, false);
      }
    }
    return out;
  }
}

package dev.adjoint.spark.samples;

import dev.adjoint.tensor.Tensor;
import dev.adjoint.tensor.kernel.MatMul;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Thread CPU time of one loss-and-gradient evaluation over Fashion-MNIST, per loss form, on one
 * thread: {@code LossFormsBench DATA_DIR [BLOCK_ROWS] [x: skip the loop form]}, run with
 * {@code --add-modules jdk.incubator.vector} and the test class path.
 */
public final class LossFormsBench {
  public static void main(String[] args) {
    MatMul.setThreads(1);
    System.out.println("kernel " + MatMul.kernelName());
    FashionMnist.Split s = FashionMnist.train(Path.of(args.length > 0 ? args[0] : FashionMnist.DEFAULT_DIR));
    int block = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int k = 10;
    int f = s.cols();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] theta = new double[f * k + k];
    for (int i = 0; i < theta.length; i++) theta[i] = 0.01 * Math.sin(i);
    Tensor w = Tensor.of(java.util.Arrays.copyOf(theta, f * k), f, k);
    Tensor b = Tensor.of(java.util.Arrays.copyOfRange(theta, f * k, f * k + k), k);
    int blocks = (s.rows() + block - 1) / block;
    Tensor[] xs = new Tensor[blocks];
    Tensor[] ys = new Tensor[blocks];
    double[][] xa = new double[blocks][];
    double[][] ya = new double[blocks][];
    for (int i = 0; i < blocks; i++) {
      int r0 = i * block, r1 = Math.min(s.rows(), r0 + block);
      xs[i] = Tensor.of(java.util.Arrays.copyOfRange(s.pixels(), r0 * f, r1 * f), r1 - r0, f);
      xa[i] = java.util.Arrays.copyOfRange(s.pixels(), r0 * f, r1 * f);
      ya[i] = java.util.Arrays.copyOfRange(s.labels(), r0, r1);
      ys[i] = Tensor.of(java.util.Arrays.copyOfRange(s.labels(), r0, r1), r1 - r0);
    }
    for (int rep = 0; rep < 8; rep++) {
      long t0 = mx.getCurrentThreadCpuTime();
      double v = 0;
      for (int i = 0; i < blocks; i++) {
        v += SoftmaxLossesGrad.tensorLoss(w, b, xs[i], ys[i]).value();
      }
      long t1 = mx.getCurrentThreadCpuTime();
      System.out.printf("tensor: %.4f s (value %.6f)%n", (t1 - t0) / 1e9, v);
    }
    double[] grad = new double[theta.length];
    for (int rep = 0; rep < 6; rep++) {
      long t0 = mx.getCurrentThreadCpuTime();
      double v = 0;
      for (int i = 0; i < blocks; i++) {
        int r0 = i * block, r1 = Math.min(s.rows(), r0 + block);
        v += SoftmaxRegression.sparkBlockLoss(theta, xa[i], ya[i], r1 - r0, f, grad);
      }
      long t1 = mx.getCurrentThreadCpuTime();
      System.out.printf("glue (copies the block): %.4f s (value %.6f)%n", (t1 - t0) / 1e9, v);
    }
    if (args.length > 2) return;
    // loop form on 2,000 rows only (its tape is rows × 784 × 10 doubles)
    int n = 2000;
    double[] g = new double[theta.length];
    for (int rep = 0; rep < 4; rep++) {
      long t0 = mx.getCurrentThreadCpuTime();
      double v = SoftmaxLossesGrad.loopLoss(theta, s.pixels(), s.labels(), n, f, k, g);
      long t1 = mx.getCurrentThreadCpuTime();
      System.out.printf("loops (2000 rows): %.4f s, scaled to 60000 rows %.3f s (value %.6f)%n",
          (t1 - t0) / 1e9, (t1 - t0) / 1e9 * s.rows() / n, v);
    }
  }
}

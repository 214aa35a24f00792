package dev.adjoint.spark.samples;

import dev.adjoint.Differentiable;
import dev.adjoint.tensor.Tensor;

/**
 * The softmax block loss written two ways, for {@link LossFormsBench}: over tensors (the form
 * {@link SoftmaxRegression} uses) and with {@code double[]} loops, whose reverse sweep tapes the
 * 10 logits at every pixel of every row (the inner {@code z[c] += x·w} overwrites them).
 */
public final class SoftmaxLosses {
  private SoftmaxLosses() {}

  @Differentiable(wrt = {"w", "b"})
  public static double tensorLoss(Tensor w, Tensor b, Tensor x, Tensor labels) {
    return x.dim(0) * Tensor.softmaxCrossEntropy(x.matmul(w).add(b), labels);
  }

  @Differentiable(wrt = "theta")
  public static double loopLoss(double[] theta, double[] x, double[] labels, int rows,
      int features, int classes) {
    double total = 0;
    double[] z = new double[classes];
    int bias = features * classes;
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < classes; c++) {
        z[c] = theta[bias + c];
      }
      for (int j = 0; j < features; j++) {
        double xij = x[i * features + j];
        for (int c = 0; c < classes; c++) {
          z[c] += xij * theta[j * classes + c];
        }
      }
      double m = z[0];
      for (int c = 1; c < classes; c++) {
        m = Math.max(m, z[c]);
      }
      double s = 0;
      for (int c = 0; c < classes; c++) {
        s += Math.exp(z[c] - m);
      }
      total += m + Math.log(s) - z[(int) labels[i]];
    }
    return total;
  }
}

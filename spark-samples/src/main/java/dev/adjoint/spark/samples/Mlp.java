package dev.adjoint.spark.samples;

import dev.adjoint.Differentiable;
import dev.adjoint.tensor.Tensor;
import java.util.Arrays;

/**
 * A one-hidden-layer ReLU network scored by softmax cross-entropy, summed over a block of rows: a
 * model MLlib cannot train (its {@code MultilayerPerceptronClassifier} has sigmoid hidden layers
 * only and no weight decay; here the decay is {@code DistributedLoss}'s L2 term on the weights).
 *
 * <p>Parameters as one array: {@code w1} ({@code cols × hidden}), {@code b1}, {@code w2}
 * ({@code hidden × 10}), {@code b2}, each row-major.
 */
public final class Mlp {
  private Mlp() {}

  @Differentiable(wrt = {"w1", "b1", "w2", "b2"})
  public static double blockLoss(Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor x,
      Tensor labels) {
    Tensor hidden = x.matmul(w1).add(b1).relu();
    Tensor logits = hidden.matmul(w2).add(b2);
    return x.dim(0) * Tensor.softmaxCrossEntropy(logits, labels);
  }

  /** The number of parameters of a network with {@code hidden} units. */
  public static int size(int cols, int hidden, int classes) {
    return cols * hidden + hidden + hidden * classes + classes;
  }

  /**
   * {@link #blockLoss} in the shape {@code adjoint-spark}'s {@code BlockLoss} calls (see
   * {@link SoftmaxRegression#sparkBlockLoss}): plumbing, no derivative.
   */
  public static double sparkBlockLoss(double[] params, double[] features, double[] labels,
      int rows, int cols, double[] gradient) {
    int k = FashionMnist.CLASSES;
    int hidden = (params.length - k) / (cols + 1 + k);
    int o1 = cols * hidden;
    int o2 = o1 + hidden;
    int o3 = o2 + hidden * k;
    // fresh copies, so viewing them is safe (Tensor.of would copy them once more)
    Tensor w1 = Tensor.view(Arrays.copyOfRange(params, 0, o1), cols, hidden);
    Tensor b1 = Tensor.view(Arrays.copyOfRange(params, o1, o2), hidden);
    Tensor w2 = Tensor.view(Arrays.copyOfRange(params, o2, o3), hidden, k);
    Tensor b2 = Tensor.view(Arrays.copyOfRange(params, o3, o3 + k), k);
    Tensor x = Tensor.view(features.length == rows * cols ? features
        : Arrays.copyOf(features, rows * cols), rows, cols);
    Tensor y = Tensor.view(labels.length == rows ? labels : Arrays.copyOf(labels, rows), rows);
    MlpGrad.BlockLoss g = MlpGrad.blockLoss(w1, b1, w2, b2, x, y);
    g.w1().copyInto(gradient, 0);
    g.b1().copyInto(gradient, o1);
    g.w2().copyInto(gradient, o2);
    g.b2().copyInto(gradient, o3);
    return g.value();
  }

  /** The class with the largest logit for row {@code i} of {@code pixels}. */
  static int predict(double[] params, int cols, double[] pixels, int i) {
    int k = FashionMnist.CLASSES;
    int hidden = (params.length - k) / (cols + 1 + k);
    int o1 = cols * hidden;
    int o2 = o1 + hidden;
    int o3 = o2 + hidden * k;
    double[] h = new double[hidden];
    for (int u = 0; u < hidden; u++) {
      h[u] = params[o1 + u];
    }
    for (int j = 0; j < cols; j++) {
      double x = pixels[i * cols + j];
      if (x != 0) {
        for (int u = 0; u < hidden; u++) {
          h[u] += x * params[j * hidden + u];
        }
      }
    }
    int best = 0;
    double bestZ = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      double z = params[o3 + c];
      for (int u = 0; u < hidden; u++) {
        z += Math.max(h[u], 0) * params[o2 + u * k + c];
      }
      if (z > bestZ) {
        bestZ = z;
        best = c;
      }
    }
    return best;
  }
}

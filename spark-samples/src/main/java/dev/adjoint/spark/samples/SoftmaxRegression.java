package dev.adjoint.spark.samples;

import dev.adjoint.Differentiable;
import dev.adjoint.tensor.Tensor;
import java.util.Arrays;

/**
 * Multinomial logistic regression written as a user would: the summed softmax cross-entropy of
 * {@code x·w + b} over a block of rows, a {@code @Differentiable} method of tensors. Adjoint
 * generates {@code SoftmaxRegressionGrad.blockLoss}, whose reverse sweep is two matrix products
 * (the logits, and {@code xᵀ · (softmax − onehot)}) on the runtime's packed Vector API kernel and
 * one fused softmax/cross-entropy step.
 *
 * <p>Parameters are laid out as one array, as an optimiser sees them: {@code w} ({@code cols × 10},
 * row-major: entry {@code j * 10 + c} weighs feature j for class c) then the 10 intercepts {@code b}.
 * That is also the layout of MLlib's coefficients during training (column-major 10 × cols, then
 * the intercepts), so the two optimisers step through the same vectors.
 */
public final class SoftmaxRegression {
  private SoftmaxRegression() {}

  /** The summed cross-entropy of the block: {@code rows × mean}. */
  @Differentiable(wrt = {"w", "b"})
  public static double blockLoss(Tensor w, Tensor b, Tensor x, Tensor labels) {
    return x.dim(0) * Tensor.softmaxCrossEntropy(x.matmul(w).add(b), labels);
  }

  /**
   * {@link #blockLoss} in the shape {@code adjoint-spark}'s {@code BlockLoss} calls: the
   * parameters are copied into tensors, the block's arrays viewed in place, the generated gradient
   * runs, and its two parts are copied into {@code gradient}. No derivative here: only plumbing.
   */
  public static double sparkBlockLoss(double[] params, double[] features, double[] labels,
      int rows, int cols, double[] gradient) {
    int classes = params.length / (cols + 1);
    int nw = cols * classes;
    // fresh copies, so viewing them is safe (Tensor.of would copy them once more)
    Tensor w = Tensor.view(Arrays.copyOf(params, nw), cols, classes);
    Tensor b = Tensor.view(Arrays.copyOfRange(params, nw, nw + classes), classes);
    // the block is cached and never written: viewed in place, not copied (a mini-batch's buffer
    // may be longer than its rows: then the rows are copied out)
    Tensor x = Tensor.view(features.length == rows * cols ? features
        : Arrays.copyOf(features, rows * cols), rows, cols);
    Tensor y = Tensor.view(labels.length == rows ? labels : Arrays.copyOf(labels, rows), rows);
    SoftmaxRegressionGrad.BlockLoss g = SoftmaxRegressionGrad.blockLoss(w, b, x, y);
    g.w().copyInto(gradient, 0);
    g.b().copyInto(gradient, nw);
    return g.value();
  }
}

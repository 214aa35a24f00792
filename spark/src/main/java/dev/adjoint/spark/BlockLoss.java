package dev.adjoint.spark;

import java.io.Serializable;

/**
 * A loss written over a block of rows, in the shape of the array-writing overload that Adjoint
 * generates for {@code @Differentiable static double loss(double[] params, double[] features,
 * double[] labels, int rows, int cols)} with {@code wrt = "params"}: pass
 * {@code LossGrad::loss}.
 *
 * <p>It returns the loss <em>summed</em> over rows {@code 0..rows)} of the block and overwrites
 * {@code gradient} (as long as {@code params}) with that sum's gradient. {@code features} holds
 * the block row-major: row {@code i}, column {@code j} is {@code features[i * cols + j]}. Read
 * only the first {@code rows} rows: a mini-batch reuses one buffer per task, so the arrays may be
 * longer than {@code rows * cols} and {@code rows}. The arrays must not be kept or written.
 *
 * <p>It is serialised to the executors, so a method reference to a static method is the simplest
 * form; it is called from several threads at once (generated code is pure, so that is safe).
 */
@FunctionalInterface
public interface BlockLoss extends Serializable {
  double apply(
      double[] params, double[] features, double[] labels, int rows, int cols, double[] gradient);
}

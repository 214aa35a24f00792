package dev.adjoint.spark;

import java.io.Serializable;

/**
 * A {@link BlockLoss} that also reads each row's weight: the generated overload of
 * {@code @Differentiable static double loss(double[] params, double[] features, double[] labels,
 * double[] weights, int rows, int cols)} with {@code wrt = "params"}. It returns the
 * <em>weighted</em> sum over the block; the objective divides by the sum of the weights. On data
 * packed without a weight column every weight is 1.
 */
@FunctionalInterface
public interface WeightedBlockLoss extends Serializable {
  double apply(
      double[] params,
      double[] features,
      double[] labels,
      double[] weights,
      int rows,
      int cols,
      double[] gradient);
}

package dev.adjoint.spark;

/**
 * A differentiable function to minimise: writes the gradient at {@code params} into
 * {@code gradient} (same length, overwritten) and returns the value. The generated array-writing
 * overload of a {@code @Differentiable static double f(double[] x)} is one: {@code FGrad::f}. A
 * {@link DistributedLoss} is one over a Spark data set.
 */
@FunctionalInterface
public interface Objective {
  double evaluate(double[] params, double[] gradient);
}

package dev.adjoint.nn;

import dev.adjoint.tensor.OptimizerKernels;
import dev.adjoint.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015): gradient descent with per-element step sizes from running
 * estimates of the gradient's first and second moments, corrected for their bias towards 0 in the
 * first steps. At step {@code t} (counting from 1), each element {@code p} with gradient
 * {@code g} and moments {@code m}, {@code v} (0 before the first step) is updated as
 *
 * <pre>
 * m ← β₁·m + (1 − β₁)·g
 * v ← β₂·v + (1 − β₂)·g²
 * m̂ = m / (1 − β₁ᵗ)
 * v̂ = v / (1 − β₂ᵗ)
 * p ← p − η·m̂ / (√v̂ + ε)
 * </pre>
 *
 * (the formulation of the paper's Algorithm 1, as in PyTorch). At the first step
 * {@code m̂ = g} and {@code v̂ = g²}, so every element moves by about {@code η} against the sign
 * of its gradient.
 */
public final class Adam extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private double[][] m;
  private double[][] v;

  /** Adam with the paper's defaults {@code β₁ = 0.9, β₂ = 0.999, ε = 1e-8}. */
  public Adam(double learningRate) {
    this(learningRate, 0.9, 0.999, 1e-8);
  }

  /**
   * Adam with every setting given.
   *
   * @param learningRate {@code η}, finite and positive; 1e-3 is usual
   * @param beta1 decay of the first moment estimate, in {@code [0, 1)}
   * @param beta2 decay of the second moment estimate, in {@code [0, 1)}
   * @param epsilon added to {@code √v̂} against division by zero, finite and positive
   * @throws IllegalArgumentException if an argument is out of range
   */
  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "Adam: beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException(
          "Adam: epsilon must be finite and positive, got " + epsilon);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  void init(int[] sizes) {
    m = new double[sizes.length][];
    v = new double[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      m[i] = new double[sizes[i]];
      v[i] = new double[sizes[i]];
    }
  }

  @Override
  void update(int index, double[] p, double[] g, int step) {
    OptimizerKernels.adam(p, g, m[index], v[index], p, learningRate(), beta1, beta2, epsilon,
        1 - Math.pow(beta1, step), 1 - Math.pow(beta2, step));
  }

  @Override
  Tensor update(int index, Tensor p, Tensor g, int step) {
    return OptimizerKernels.adam(p, g, m[index], v[index], learningRate(), beta1, beta2,
        epsilon, 1 - Math.pow(beta1, step), 1 - Math.pow(beta2, step));
  }
}

package dev.adjoint.nn;

import dev.adjoint.tensor.OptimizerKernels;
import dev.adjoint.tensor.Tensor;

/**
 * Stochastic gradient descent, optionally with momentum (heavy ball, as PyTorch and Keras define
 * it). With learning rate {@code η} and momentum {@code μ}, each element {@code p} with gradient
 * {@code g} and velocity {@code v} (0 before the first step) is updated as
 *
 * <pre>
 * v ← μ·v + g
 * p ← p − η·v
 * </pre>
 *
 * With {@code μ = 0} that is plain gradient descent, {@code p ← p − η·g}.
 */
public final class Sgd extends Optimizer {
  private final double momentum;
  private double[][] velocity;

  /** Plain gradient descent with the given learning rate. */
  public Sgd(double learningRate) {
    this(learningRate, 0);
  }

  /**
   * Gradient descent with momentum.
   *
   * @param learningRate finite and positive
   * @param momentum in {@code [0, 1)}; 0.9 is usual
   * @throws IllegalArgumentException if an argument is out of range
   */
  public Sgd(double learningRate, double momentum) {
    super(learningRate);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
    }
    this.momentum = momentum;
  }

  /** The momentum {@code μ}. */
  public double momentum() {
    return momentum;
  }

  @Override
  void init(int[] sizes) {
    if (momentum != 0) {
      velocity = new double[sizes.length][];
      for (int i = 0; i < sizes.length; i++) {
        velocity[i] = new double[sizes[i]];
      }
    }
  }

  @Override
  void update(int index, double[] p, double[] g, int step) {
    if (momentum == 0) {
      OptimizerKernels.sgd(p, g, p, learningRate());
    } else {
      OptimizerKernels.sgdMomentum(p, g, velocity[index], p, learningRate(), momentum);
    }
  }

  @Override
  Tensor update(int index, Tensor p, Tensor g, int step) {
    if (momentum == 0) {
      return OptimizerKernels.sgd(p, g, learningRate());
    }
    return OptimizerKernels.sgdMomentum(p, g, velocity[index], learningRate(), momentum);
  }
}

package dev.adjoint.nn;

import dev.adjoint.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A gradient-based optimiser: given the parameters of a model and the gradient of the loss with
 * respect to each, it takes one step downhill. Parameters come as an array in a fixed order, for
 * example {@code {w1, b1, w2, b2}}, with the gradients in the same order, as the
 * {@code gradients()} method of a generated record lists them.
 *
 * <p>Two forms: {@link #step(Tensor[], Tensor[])} returns new tensors (tensors are immutable), and
 * {@link #step(double[][], double[][])} updates {@code double[]} parameters in place. An optimiser
 * keeps per-parameter state (velocities, moment estimates) by position in the array, fixed by the
 * first step: later steps must pass as many parameters, of the same sizes, in the same order. Use
 * one optimiser per model. Optimisers are not thread-safe.
 *
 * <p>Arguments are checked before anything is changed: on an exception, neither the parameters
 * nor the optimiser's state have changed.
 */
public abstract class Optimizer {
  private double learningRate;
  private int[] sizes;
  private int steps;

  Optimizer(double learningRate) {
    this.learningRate = checkLearningRate(learningRate);
  }

  /**
   * One step: the parameters after the update, in the same order and shapes.
   *
   * @param params the current parameters; not modified
   * @param gradients the gradient of the loss with respect to each parameter, of equal shape
   * @throws IllegalArgumentException if the arrays differ in length, a gradient's shape differs
   *     from its parameter's, or the sizes differ from those of the first step
   */
  public final Tensor[] step(Tensor[] params, Tensor[] gradients) {
    checkLengths(params, gradients);
    int[] s = new int[params.length];
    for (int i = 0; i < params.length; i++) {
      Tensor p = Objects.requireNonNull(params[i], () -> name() + ": parameter is null");
      Tensor g = Objects.requireNonNull(gradients[i], () -> name() + ": gradient is null");
      if (!Arrays.equals(p.shape(), g.shape())) {
        throw new IllegalArgumentException(
            name() + ": parameter " + i + " has shape " + Arrays.toString(p.shape())
                + " but its gradient has shape " + Arrays.toString(g.shape()));
      }
      s[i] = p.size();
    }
    begin(s);
    Tensor[] out = new Tensor[params.length];
    for (int i = 0; i < params.length; i++) {
      out[i] = update(i, params[i], gradients[i], steps);
    }
    return out;
  }

  /**
   * One step, updating each {@code params[i]} in place.
   *
   * @param params the current parameters; each array is overwritten with its updated values
   * @param gradients the gradient of the loss with respect to each parameter, of equal length
   * @throws IllegalArgumentException if the arrays differ in length, a gradient's length differs
   *     from its parameter's, or the sizes differ from those of the first step
   */
  public final void step(double[][] params, double[][] gradients) {
    checkLengths(params, gradients);
    int[] s = new int[params.length];
    for (int i = 0; i < params.length; i++) {
      double[] p = Objects.requireNonNull(params[i], () -> name() + ": parameter is null");
      double[] g = Objects.requireNonNull(gradients[i], () -> name() + ": gradient is null");
      if (p.length != g.length) {
        throw new IllegalArgumentException(
            name() + ": parameter " + i + " has length " + p.length
                + " but its gradient has length " + g.length);
      }
      s[i] = p.length;
    }
    begin(s);
    for (int i = 0; i < params.length; i++) {
      update(i, params[i], gradients[i], steps);
    }
  }

  /** The number of steps taken so far. */
  public final int steps() {
    return steps;
  }

  /** The learning rate of the next step. */
  public final double learningRate() {
    return learningRate;
  }

  /**
   * Changes the learning rate from the next step on (for a schedule); the state is kept.
   *
   * @throws IllegalArgumentException unless {@code learningRate} is finite and positive
   */
  public final void setLearningRate(double learningRate) {
    this.learningRate = checkLearningRate(learningRate);
  }

  /** Allocates the state for parameters of these sizes; called once, before the first update. */
  abstract void init(int[] sizes);

  /**
   * Updates {@code param} in place from {@code gradient}. {@code step} counts from 1; {@code index}
   * is the parameter's position. {@code gradient} must not be kept.
   */
  abstract void update(int index, double[] param, double[] gradient, int step);

  /**
   * The same update as a new tensor: one pass over the parameter and the gradient, read without
   * copying (through {@link dev.adjoint.tensor.OptimizerKernels}), into the result's only array.
   * Shapes are already checked.
   */
  abstract Tensor update(int index, Tensor param, Tensor gradient, int step);

  /** The class name, for messages. */
  String name() {
    return getClass().getSimpleName();
  }

  private void begin(int[] s) {
    if (sizes == null) {
      init(s);
      sizes = s;
    } else if (!Arrays.equals(sizes, s)) {
      throw new IllegalArgumentException(
          name() + ": parameter sizes " + Arrays.toString(s) + " differ from "
              + Arrays.toString(sizes) + " at the first step; use one optimiser per model");
    }
    steps++;
  }

  private void checkLengths(Object[] params, Object[] gradients) {
    Objects.requireNonNull(params, () -> name() + ": params is null");
    Objects.requireNonNull(gradients, () -> name() + ": gradients is null");
    if (params.length != gradients.length) {
      throw new IllegalArgumentException(
          name() + ": " + params.length + " parameters but " + gradients.length + " gradients");
    }
  }

  private double checkLearningRate(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(
          name() + ": learning rate must be finite and positive, got " + rate);
    }
    return rate;
  }
}

package dev.adjoint.spark;

import dev.adjoint.nn.Optimizer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Mini-batch training with one of the runtime's optimisers ({@code dev.adjoint.nn.Sgd},
 * {@code Adam}): each iteration evaluates the objective on a fresh sample
 * ({@code sample(fraction, seed + iteration)}, as MLlib's gradient descent draws
 * {@code data.sample(false, fraction, seed + i)}) and takes one step.
 *
 * <pre>{@code
 * Result r = new MiniBatch(new Adam(1e-3)).fraction(0.01).iterations(1000).minimize(loss, w0);
 * }</pre>
 */
public final class MiniBatch {
  private final Optimizer optimizer;
  private double fraction = 0.01;
  private int iterations = 100;
  private long seed = 42;
  private Consumer<Progress> onIteration = p -> {};

  /** Steps with {@code optimizer} (use a fresh one per run: it keeps per-parameter state). */
  public MiniBatch(Optimizer optimizer) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
  }

  /** The sampled fraction of the rows per iteration, in (0, 1] (0.01 by default). */
  public MiniBatch fraction(double f) {
    if (!(f > 0 && f <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], got " + f);
    }
    this.fraction = f;
    return this;
  }

  /** The number of steps (100 by default). */
  public MiniBatch iterations(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + n);
    }
    this.iterations = n;
    return this;
  }

  /** The seed of the first sample; iteration {@code i} (from 1) uses {@code seed + i}. */
  public MiniBatch seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Called after each step with that step's sample loss (before the step). */
  public MiniBatch onIteration(Consumer<Progress> callback) {
    this.onIteration = Objects.requireNonNull(callback);
    return this;
  }

  /** Trains from {@code x0} (not modified); {@link Result#value()} is the last sample's loss. */
  public Result minimize(StochasticObjective f, double[] x0) {
    long start = System.nanoTime();
    double[][] params = {x0.clone()};
    double[][] gradient = {new double[x0.length]};
    double[] history = new double[iterations];
    double value = Double.NaN;
    for (int i = 1; i <= iterations; i++) {
      value = f.sample(fraction, seed + i).evaluate(params[0].clone(), gradient[0]);
      history[i - 1] = value;
      double norm = Lbfgs.norm(gradient[0]);
      optimizer.step(params, gradient);
      onIteration.accept(new Progress(i, value, norm, (System.nanoTime() - start) * 1e-9, i));
    }
    return new Result(
        params[0], value, iterations, iterations, "iterations done", Arrays.copyOf(history,
            iterations), (System.nanoTime() - start) * 1e-9);
  }
}

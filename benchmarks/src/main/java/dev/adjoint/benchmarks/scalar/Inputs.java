package dev.adjoint.benchmarks.scalar;

import java.util.Random;

/** The fixed, seeded inputs of the array functions, shared by the suite and its diagnosis. */
public final class Inputs {
  /** Length of the arrays of the extended Rosenbrock and Huber functions. */
  public static final int N = 1000;
  /** Threshold of the Huber penalty. */
  public static final double HUBER_DELTA = 0.5;
  /** Examples and features of the logistic loss. */
  public static final int EXAMPLES = 2000;
  public static final int FEATURES = 10;

  private Inputs() {}

  /** Uniform in [-1.5, 1.5): around the valley of every term. */
  public static double[] extendedRosenbrock() {
    Random random = new Random(13);
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = -1.5 + 3 * random.nextDouble();
    }
    return x;
  }

  /**
   * Uniform in [-1, 1): neighbouring differences fall in each of the three branches (below
   * -delta, within, above delta) about a third of the time, in no predictable order.
   */
  public static double[] huber() {
    Random random = new Random(15);
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = -1 + 2 * random.nextDouble();
    }
    return x;
  }

  /** Gaussian features, labels of a noisy linear rule, small random weights. */
  public static Logistic logistic() {
    Random random = new Random(14);
    int n = EXAMPLES;
    int d = FEATURES;
    double[] truth = new double[d];
    double[] w = new double[d];
    for (int j = 0; j < d; j++) {
      truth[j] = random.nextGaussian();
      w[j] = 0.1 * random.nextGaussian();
    }
    double[] x = new double[n * d];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int j = 0; j < d; j++) {
        x[i * d + j] = random.nextGaussian();
        z += truth[j] * x[i * d + j];
      }
      y[i] = z + random.nextGaussian() > 0 ? 1 : -1;
    }
    return new Logistic(w, x, y, n, d);
  }

  /** The logistic loss's arguments. */
  public record Logistic(double[] w, double[] x, double[] y, int n, int d) {}
}

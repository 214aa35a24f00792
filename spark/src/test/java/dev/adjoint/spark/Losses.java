package dev.adjoint.spark;

import dev.adjoint.Differentiable;

/** Block losses written as a user would, differentiated by the processor on the test sources. */
public final class Losses {
  private Losses() {}

  /** Least squares with an intercept (last parameter), summed over the block's rows. */
  @Differentiable(wrt = "w")
  public static double squares(double[] w, double[] x, double[] y, int rows, int cols) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      double r = w[cols] - y[i];
      for (int j = 0; j < cols; j++) {
        r += w[j] * x[i * cols + j];
      }
      s += 0.5 * r * r;
    }
    return s;
  }

  /** Binary logistic regression (labels 0/1), weighted, intercept last. */
  @Differentiable(wrt = "w")
  public static double logistic(
      double[] w, double[] x, double[] y, double[] weights, int rows, int cols) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      double z = w[cols];
      for (int j = 0; j < cols; j++) {
        z += w[j] * x[i * cols + j];
      }
      // log(1 + e^z) - y z, stable for either sign of z
      double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      s += weights[i] * (softplus - y[i] * z);
    }
    return s;
  }

  /** Rosenbrock's function in n dimensions, for the optimiser alone. */
  @Differentiable
  public static double rosenbrock(double[] x) {
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double a = 1 - x[i];
      double b = x[i + 1] - x[i] * x[i];
      s += a * a + 100 * b * b;
    }
    return s;
  }
}

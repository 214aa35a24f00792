package dev.adjoint.samples;

import dev.adjoint.Differentiable;

/** Objective functions the demos minimise; their gradients are generated at compile time. */
public final class Functions {
  private Functions() {}

  /** Rosenbrock's banana function: minimum 0 at (1, 1), at the bottom of a curved valley. */
  @Differentiable
  public static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  @Differentiable
  public static double mix(double x, double y) {
    double s = Math.sin(x) * Math.exp(y);
    s = s + Math.log(x * x + 1) / Math.sqrt(y * y + 2);
    return Math.tanh(s) * s;
  }

  @Differentiable
  public static double sumsq(double[] x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[i] * x[i] * Math.sin(x[i]);
    }
    return s;
  }

  @Differentiable
  public static double branchy(double x, double y) {
    if (x > 0) {
      return x * y;
    }
    double t = Math.exp(x);
    return t * y * y;
  }
}

package dev.adjoint.benchmarks.scalar;

import dev.adjoint.Differentiable;

/**
 * The functions of the scalar suite, written as a user writes them. Adjoint generates
 * {@code ScalarFunctionsGrad} from this class at compile time (the processor is on this module's
 * annotation processor path, exactly as in a user's build); the benchmarks call these methods for
 * the primal and the generated ones for the gradient.
 */
public final class ScalarFunctions {
  private ScalarFunctions() {}

  /** Rosenbrock's function in two variables: straight-line code. */
  @Differentiable
  public static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  /** The extended (chained) Rosenbrock function over an array: a loop. */
  @Differentiable
  public static double extendedRosenbrock(double[] x) {
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double a = 1 - x[i];
      double b = x[i + 1] - x[i] * x[i];
      s += a * a + 100 * b * b;
    }
    return s;
  }

  /**
   * Mean logistic loss of the weights {@code w} over {@code n} examples of {@code d} features
   * ({@code x} row-major, labels {@code y} in {-1, +1}): nested loops and a branch for a stable
   * {@code log(1 + exp(-m))}.
   */
  @Differentiable(wrt = "w")
  public static double logisticLoss(double[] w, double[] x, double[] y, int n, int d) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int j = 0; j < d; j++) {
        z += w[j] * x[i * d + j];
      }
      double m = y[i] * z;
      if (m > 0) {
        total += Math.log1p(Math.exp(-m));
      } else {
        total += Math.log1p(Math.exp(m)) - m;
      }
    }
    return total / n;
  }

  /** Straight-line code mixing sin, exp, log, sqrt, tanh and division. */
  @Differentiable
  public static double mixed(double x, double y, double z) {
    double a = Math.sin(x) * Math.exp(y / z);
    double b = Math.log(1 + x * x) * Math.sqrt(y * y + z * z);
    double c = Math.tanh(x * y - z) / (1 + z * z);
    return a + b - c;
  }

  /**
   * Branches inside a loop: the Huber penalty on the differences of neighbouring elements (a
   * total-variation smoother), quadratic for small differences and linear for large ones.
   */
  @Differentiable(wrt = "x")
  public static double huberSmoothness(double[] x, double delta) {
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double r = x[i + 1] - x[i];
      if (r > delta) {
        s += delta * (r - 0.5 * delta);
      } else if (r < -delta) {
        s -= delta * (r + 0.5 * delta);
      } else {
        s += 0.5 * r * r;
      }
    }
    return s;
  }
}

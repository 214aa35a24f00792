package dev.adjoint.benchmarks.scalar;

/**
 * The gradients of {@link ScalarFunctions} written by hand, the way a careful person writes them
 * in plain Java: one pass where one pass suffices, common subexpressions named once, and the
 * gradient written into an array the caller owns (returning the value). The {@code ...New}
 * variants allocate the gradient array per call, as the generated record form does, to separate
 * the cost of that allocation from the cost of the code.
 */
public final class HandGradients {
  private HandGradients() {}

  /** ∂/∂x = -2(1 - x) - 400 x (y - x²), ∂/∂y = 200 (y - x²). */
  public static double rosenbrock(double x, double y, double[] g) {
    double a = 1 - x;
    double b = y - x * x;
    g[0] = -2 * a - 400 * b * x;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  }

  /** Each term touches x[i] and x[i+1]; one forward pass accumulates both. */
  public static double extendedRosenbrock(double[] x, double[] g) {
    java.util.Arrays.fill(g, 0, x.length, 0.0);
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double xi = x[i];
      double a = 1 - xi;
      double b = x[i + 1] - xi * xi;
      s += a * a + 100 * b * b;
      g[i] += -2 * a - 400 * b * xi;
      g[i + 1] += 200 * b;
    }
    return s;
  }

  /** As {@link #extendedRosenbrock(double[], double[])}, allocating the gradient. */
  public static ValueAndGradient extendedRosenbrockNew(double[] x) {
    double[] g = new double[x.length];
    return new ValueAndGradient(extendedRosenbrock(x, g), g);
  }

  /**
   * With m = y z, loss = log(1 + e^-m) and ∂loss/∂m = -1 / (1 + e^m); computed stably from
   * e = e^-|m| and accumulated into g in the same pass over the rows.
   */
  public static double logisticLoss(double[] w, double[] x, double[] y, int n, int d, double[] g) {
    java.util.Arrays.fill(g, 0, d, 0.0);
    double total = 0;
    for (int i = 0; i < n; i++) {
      int row = i * d;
      double z = 0;
      for (int j = 0; j < d; j++) {
        z += w[j] * x[row + j];
      }
      double m = y[i] * z;
      double e = Math.exp(-Math.abs(m));
      double dm; // ∂loss/∂m = -σ(-m)
      if (m > 0) {
        total += Math.log1p(e);
        dm = -e / (1 + e);
      } else {
        total += Math.log1p(e) - m;
        dm = -1 / (1 + e);
      }
      double c = dm * y[i];
      for (int j = 0; j < d; j++) {
        g[j] += c * x[row + j];
      }
    }
    double scale = 1.0 / n;
    for (int j = 0; j < d; j++) {
      g[j] *= scale;
    }
    return total * scale;
  }

  /** As {@link #logisticLoss(double[], double[], double[], int, int, double[])}, allocating. */
  public static ValueAndGradient logisticLossNew(double[] w, double[] x, double[] y, int n,
      int d) {
    double[] g = new double[w.length];
    return new ValueAndGradient(logisticLoss(w, x, y, n, d, g), g);
  }

  /** The three terms' partial derivatives, with shared factors computed once. */
  public static double mixed(double x, double y, double z, double[] g) {
    double sin = Math.sin(x);
    double e = Math.exp(y / z);
    double a = sin * e;
    double p = 1 + x * x;
    double log = Math.log(p);
    double r = Math.sqrt(y * y + z * z);
    double t = Math.tanh(x * y - z);
    double invQ = 1 / (1 + z * z);
    double invZ = 1 / z;
    double invR = 1 / r;
    double dt = (1 - t * t) * invQ; // ∂c/∂(xy - z)
    g[0] = Math.cos(x) * e + 2 * x / p * r - dt * y;
    g[1] = a * invZ + log * y * invR - dt * x;
    g[2] = -a * y * invZ * invZ + log * z * invR + dt + 2 * z * t * invQ * invQ;
    return a + log * r - t * invQ;
  }

  /** The Huber derivative is the difference clamped to [-delta, delta]. */
  public static double huberSmoothness(double[] x, double delta, double[] g) {
    java.util.Arrays.fill(g, 0, x.length, 0.0);
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double r = x[i + 1] - x[i];
      double dr;
      if (r > delta) {
        s += delta * (r - 0.5 * delta);
        dr = delta;
      } else if (r < -delta) {
        s -= delta * (r + 0.5 * delta);
        dr = -delta;
      } else {
        s += 0.5 * r * r;
        dr = r;
      }
      g[i] -= dr;
      g[i + 1] += dr;
    }
    return s;
  }

  /** As {@link #huberSmoothness(double[], double, double[])}, allocating the gradient. */
  public static ValueAndGradient huberSmoothnessNew(double[] x, double delta) {
    double[] g = new double[x.length];
    return new ValueAndGradient(huberSmoothness(x, delta, g), g);
  }

  /** A value and a freshly allocated gradient, like the generated records of array functions. */
  public record ValueAndGradient(double value, double[] gradient) {}
}

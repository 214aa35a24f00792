package dev.adjoint.gradbench;

/**
 * The gradient-descent argmin of GradBench's particle and saddle evals (the benchmark's
 * {@code multivariate_argmin}): a step of size eta along -gradient is taken when it lowers f,
 * else eta is halved; after ten steps taken in a row eta doubles; it stops when the gradient or
 * the step is shorter than 1e-5. Plain Java: the gradients it calls are generated.
 */
final class Descent {
  private Descent() {}

  /** A function and its gradient at a point, written into {@code gradient}. */
  interface Objective {
    double value(double[] x);

    void gradient(double[] x, double[] gradient);
  }

  static double[] argmin(Objective f, double[] start) {
    int n = start.length;
    double[] x = start.clone();
    double[] g = new double[n];
    double[] next = new double[n];
    double fx = f.value(x);
    f.gradient(x, g);
    double eta = 1e-5;
    int i = 0;
    while (norm(g, null) > 1e-5) {
      if (i == 10) {
        eta *= 2;
        i = 0;
        continue;
      }
      for (int k = 0; k < n; k++) {
        next[k] = x[k] - eta * g[k];
      }
      if (norm(x, next) <= 1e-5) {
        break;
      }
      double fNext = f.value(next);
      if (fNext < fx) {
        System.arraycopy(next, 0, x, 0, n);
        fx = fNext;
        f.gradient(x, g);
        i++;
      } else {
        eta /= 2;
        i = 0;
      }
    }
    return x;
  }

  /** |a - b|, or |a| when b is null. */
  private static double norm(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0; k < a.length; k++) {
      double d = b == null ? a[k] : a[k] - b[k];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}

package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code llsq}: half the sum over n sample points t_i in [-1, 1] of the squared
 * residual of the polynomial with coefficients x against sign(t_i), and its gradient.
 */
public final class Llsq {
  private Llsq() {}

  @Differentiable
  public static double llsq(double[] x, int n) {
    int m = x.length;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double ti = -1 + i * 2.0 / (n - 1);
      double residual = Math.signum(ti);
      double power = 1;
      for (int j = 0; j < m; j++) {
        residual -= x[j] * power;
        power *= ti;
      }
      sum += residual * residual;
    }
    return sum / 2;
  }

  record Input(double[] x, int n) {}

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    double[] x = in.x();
    int n = in.n();
    double[] gradient = new double[x.length];
    return switch (function) {
      case "primal" -> () -> llsq(x, n);
      case "gradient" -> () -> {
        LlsqGrad.llsq(x, n, gradient);
        return gradient;
      };
      default -> null;
    };
  };
}

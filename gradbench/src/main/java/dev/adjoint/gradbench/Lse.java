package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/** GradBench's {@code lse}: log-sum-exp with the max trick, and its gradient. */
public final class Lse {
  private Lse() {}

  @Differentiable
  public static double logsumexp(double[] x) {
    double a = x[0];
    for (int i = 1; i < x.length; i++) {
      a = Math.max(a, x[i]);
    }
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += Math.exp(x[i] - a);
    }
    return a + Math.log(sum);
  }

  record Input(double[] x) {}

  static final Tool.Module MODULE = (function, input) -> {
    double[] x = Tool.GSON.fromJson(input, Input.class).x();
    double[] gradient = new double[x.length];
    return switch (function) {
      case "primal" -> () -> logsumexp(x);
      case "gradient" -> () -> {
        LseGrad.logsumexp(x, gradient);
        return gradient;
      };
      default -> null;
    };
  };
}

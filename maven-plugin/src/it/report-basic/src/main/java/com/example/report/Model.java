package com.example.report;

import dev.adjoint.Differentiable;

/** A model with a loop that tapes, a fused sum and a running maximum, to inspect. */
public final class Model {
  private Model() {}

  @Differentiable
  public static double softplus(double x) {
    return x > 20 ? x : Math.log1p(Math.exp(x));
  }

  @Differentiable(wrt = "w")
  public static double loss(double[] w, double[] x, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double z = w[0] * x[i] + w[1];
      total += z < 0 ? Math.exp(z) : z * z;
    }
    double m = w[0];
    for (int i = 1; i < w.length; i++) {
      m = Math.max(m, w[i]);
    }
    return total / n + m;
  }

  @Differentiable
  public static double decay(double[] y, int steps) {
    double s = 1;
    for (int k = 0; k < steps; k++) {
      s = s * Math.tanh(s + y[k % y.length]);
    }
    return s;
  }
}

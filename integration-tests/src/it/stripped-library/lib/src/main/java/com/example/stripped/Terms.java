package com.example.stripped;

import dev.adjoint.Differentiable;

public final class Terms {
  private Terms() {}

  /** Σ w_i x_i², differentiated with respect to w only. */
  @Differentiable(wrt = {"w"})
  public static double weighted(double[] w, double[] x) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += w[i] * x[i] * x[i];
    }
    return s;
  }

  @Differentiable
  public static double scaled(double a, double b) {
    return a * Math.exp(b);
  }
}

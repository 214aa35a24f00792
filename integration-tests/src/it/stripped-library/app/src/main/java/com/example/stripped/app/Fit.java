package com.example.stripped.app;

import com.example.stripped.Terms;
import dev.adjoint.Differentiable;

public final class Fit {
  private Fit() {}

  @Differentiable(wrt = {"w", "b"})
  public static double loss(double[] w, double b, double[] x) {
    return Terms.weighted(w, x) + Terms.scaled(b, w[0]);
  }
}

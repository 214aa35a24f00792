package com.example.stripped.app;

import dev.adjoint.check.GradCheck;
import org.junit.jupiter.api.Test;

class FitTest {
  @Test
  void gradientMatchesFiniteDifferences() {
    double[] w = {0.5, -1.5};
    double[] x = {2.0, 0.3};
    double b = 0.7;
    FitGrad.Loss g = FitGrad.loss(w, b, x);
    GradCheck.check(p -> Fit.loss(p[0], p[1][0], x), new String[] {"w", "b"},
        new double[][] {w, {b}}, new double[][] {g.w(), {g.b()}}).assertWithin(1e-7);
  }
}

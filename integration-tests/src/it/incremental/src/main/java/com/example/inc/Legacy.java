package com.example.inc;

import dev.adjoint.Differentiable;

/** Loses its only @Differentiable annotation in step "change": LegacyGrad must disappear. */
public final class Legacy {
  private Legacy() {}

  @Differentiable
  public static double cube(double x) {
    return x * x * x;
  }
}

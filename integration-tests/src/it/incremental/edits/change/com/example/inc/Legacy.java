package com.example.inc;

/** Loses its only @Differentiable annotation in step "change": LegacyGrad must disappear. */
public final class Legacy {
  private Legacy() {}

  public static double cube(double x) {
    return x * x * x;
  }
}

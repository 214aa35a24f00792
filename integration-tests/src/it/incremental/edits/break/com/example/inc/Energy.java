package com.example.inc;

import dev.adjoint.Differentiable;

/** Step "break": an unsupported construct; the build must fail with the processor's error. */
public final class Energy {
  private Energy() {}

  @Differentiable
  public static double total(double r, double k) {
    try {
      return k * Shapes.area(r) + Math.sin(r);
    } catch (ArithmeticException e) {
      return 0;
    }
  }
}

package com.example.inc;

import dev.adjoint.Differentiable;

/** Step "break": an unsupported construct; the build must fail with the processor's error. */
public final class Energy {
  private Energy() {}

  @Differentiable
  public static double total(double r, double k) {
    switch ((int) k) {
      case 0:
        return 0;
      default:
        return k * Shapes.area(r) + Math.sin(r);
    }
  }
}

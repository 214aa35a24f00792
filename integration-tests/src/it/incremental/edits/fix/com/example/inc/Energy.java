package com.example.inc;

import dev.adjoint.Differentiable;

/** Step "fix": valid again, and now also calls the renamed Shapes.circumference. */
public final class Energy {
  private Energy() {}

  @Differentiable
  public static double total(double r, double k) {
    return k * Shapes.area(r) + Shapes.circumference(r) * Math.sin(r);
  }
}

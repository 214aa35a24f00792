package com.example.inc;

import dev.adjoint.Differentiable;

/** Edited in step "change": area's body changes and perimeter is renamed. */
public final class Shapes {
  private Shapes() {}

  @Differentiable
  public static double area(double r) {
    return Math.PI * r * r;
  }

  @Differentiable
  public static double perimeter(double r) {
    return 2 * Math.PI * r;
  }
}

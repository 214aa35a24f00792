package com.example.cso;

import dev.adjoint.Differentiable;

/**
 * Touched in step "touch": only this file is then recompiled, so the processor meets
 * ShapesGrad, and this class's own EnergyGrad from the previous build, as class files.
 */
public final class Energy {
  private Energy() {}

  @Differentiable
  public static double total(double r, double k) {
    return k * Shapes.area(r) + Math.sin(r);
  }
}

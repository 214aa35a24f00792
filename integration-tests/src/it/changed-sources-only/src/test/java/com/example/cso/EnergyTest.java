package com.example.cso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.check.GradCheck;
import org.junit.jupiter.api.Test;

/** The gradients are those of the current bodies, whichever files the last build recompiled. */
class EnergyTest {
  @Test
  void areaGradientIsCurrent() {
    double r = 1.3;
    ShapesGrad.Area g = ShapesGrad.area(r);
    assertEquals(Shapes.area(r), g.value(), 1e-12);
    GradCheck.check(p -> Shapes.area(p[0]), new double[] {r}, new double[] {g.r()})
        .assertWithin(1e-7);
  }

  @Test
  void totalGradientIsCurrent() {
    double r = 0.8;
    double k = 2.5;
    EnergyGrad.Total g = EnergyGrad.total(r, k);
    assertEquals(Energy.total(r, k), g.value(), 1e-12);
    GradCheck.check(p -> Energy.total(p[0], p[1]), new double[] {r, k},
        new double[] {g.r(), g.k()}).assertWithin(1e-7);
  }
}

package com.example.oneentry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModelTest {
  /** The coefficient of b*b: 100, or 10 after the edit of the third build. */
  private static final double C = Model.rosenbrock(0, 1) - 1;

  @Test
  void rosenbrockGradient() {
    ModelGrad.Rosenbrock g = ModelGrad.rosenbrock(1.5, 2.0);
    double b = 2.0 - 1.5 * 1.5;
    assertEquals(Model.rosenbrock(1.5, 2.0), g.value(), 1e-12);
    assertEquals(-2 * (1 - 1.5) - 4 * C * 1.5 * b, g.x(), 1e-9);
    assertEquals(2 * C * b, g.y(), 1e-9);
  }

  @Test
  void smoothLossUsesTheCustomDerivative() {
    ModelGrad.SmoothLoss g = ModelGrad.smoothLoss(0.5, -1.5);
    double s = 1 / (1 + Math.exp(0.75));
    assertEquals(s * -1.5, g.x(), 1e-12);
    assertEquals(s * 0.5 - 1.5, g.y(), 1e-12);
  }
}

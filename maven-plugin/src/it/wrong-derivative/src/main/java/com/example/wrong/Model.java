package com.example.wrong;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.check.CheckAt;

public final class Model {
  private Model() {}

  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  /** Wrong: the sign of the exponent (sigmoid(-x) instead of sigmoid(x)). */
  @Derivative(of = "softplus")
  @CheckAt({"0", "1.5"})
  static double softplusDerivative(double x) {
    return 1 / (1 + Math.exp(x));
  }

  static double product(double x, double y) {
    return x * y;
  }

  /** Wrong: d(xy)/dx is y, d(xy)/dy is x; checked at random points. */
  @Derivative(of = "product")
  static double[] productDerivative(double x, double y) {
    return new double[] {y, y};
  }

  static double cube(double x) {
    return x * x * x;
  }

  /** Right, so it passes beside the wrong ones. */
  @Derivative(of = "cube")
  static double cubeDerivative(double x) {
    return 3 * x * x;
  }

  @Differentiable
  static double loss(double x, double y) {
    return softplus(x) + product(x, y) + cube(y);
  }
}

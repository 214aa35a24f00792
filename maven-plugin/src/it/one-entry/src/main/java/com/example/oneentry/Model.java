package com.example.oneentry;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.check.CheckAt;

public final class Model {
  private Model() {}

  @Differentiable
  public static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  /** Uses the custom derivative below instead of differentiating log1p(exp(x)). */
  @Differentiable
  public static double smoothLoss(double x, double y) {
    return softplus(x * y) + 0.5 * y * y;
  }

  public static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Derivative(of = "softplus")
  @CheckAt({"0", "-3.5", "12"})
  public static double softplusDerivative(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  public static void main(String[] args) {
    ModelGrad.Rosenbrock g = ModelGrad.rosenbrock(1.5, 2.0);
    System.out.println("f = " + g.value() + ", df/dx = " + g.x() + ", df/dy = " + g.y());
  }
}

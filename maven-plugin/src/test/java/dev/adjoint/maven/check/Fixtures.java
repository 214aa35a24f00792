package dev.adjoint.maven.check;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.check.CheckAt;

/** Methods the checker tests check; compiled with the Adjoint processor (FixturesGrad). */
final class Fixtures {
  private Fixtures() {}

  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Derivative(of = "softplus")
  @CheckAt({"0", "-3.5", "12"})
  static double softplusDerivative(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static double product(double x, double y) {
    return x * y;
  }

  /** Wrong in y; checked at random points. */
  @Derivative(of = "product")
  static double[] productDerivative(double x, double y) {
    return new double[] {y, y};
  }

  /** Defined for x > 0 only: random points where it is NaN are drawn again. */
  static double logSquare(double x) {
    return Math.log(x) * x;
  }

  @Derivative(of = "logSquare")
  static double logSquareDerivative(double x) {
    return Math.log(x) + 1;
  }

  static double power(double x, int n) {
    return Math.pow(x, n);
  }

  /** An int parameter: random points cannot be drawn, so it is skipped. */
  @Derivative(of = "power")
  static double powerDerivative(double x, int n) {
    return n * Math.pow(x, n - 1);
  }

  static double scaled(double x, int n) {
    return x * n;
  }

  /** The same, with points: checked. */
  @Derivative(of = "scaled")
  @CheckAt({"1.5, 3", "-2, 0"})
  static double scaledDerivative(double x, int n) {
    return n;
  }

  @Differentiable
  static double loss(double[] w, double b) {
    double s = b;
    for (int i = 0; i < w.length; i++) {
      s += w[i] * w[i] * (i + 1);
    }
    return Math.sin(s);
  }

  @Differentiable(wrt = "y")
  @CheckAt(value = {"1, 2", "0.5, -1"}, tolerance = 1e-8)
  static double onlyY(double x, double y) {
    return x * Math.exp(y);
  }
}

package com.example.lib;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;

/**
 * Differentiable building blocks that a separately compiled project calls from its own
 * {@code @Differentiable} methods. Each shape of callee the processor must handle across a jar
 * boundary appears once: arrays, loops, a custom derivative of one and of two parameters, a
 * {@code wrt} that names parameters (whose names the class file does not keep), overloads
 * (records {@code Norm} and {@code Norm2}), an {@code int} parameter and a nested class.
 */
public final class Losses {
  private Losses() {}

  /** w · x. */
  @Differentiable
  public static double dot(double[] w, double[] x) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += w[i] * x[i];
    }
    return s;
  }

  /** log(1 + e^z), computed stably; differentiated through its custom derivative. */
  public static double softplus(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  /** The logistic function, softplus' derivative. */
  @Derivative(of = "softplus")
  public static double softplusDerivative(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** log(e^a + e^b), computed stably. */
  public static double smoothMax(double a, double b) {
    double m = Math.max(a, b);
    return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
  }

  /** Both partial derivatives of {@link #smoothMax}, in parameter order. */
  @Derivative(of = "smoothMax")
  public static double[] smoothMaxDerivative(double a, double b) {
    double ea = 1 / (1 + Math.exp(b - a));
    return new double[] {ea, 1 - ea};
  }

  /** scale · Σ w_i² x_i², differentiated with respect to w only. */
  @Differentiable(wrt = {"w"})
  public static double weightedSquares(double[] w, double[] x, double scale) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      double t = w[i] * x[i];
      s += t * t;
    }
    return scale * s;
  }

  /** |x|, the one-parameter overload: record {@code Norm}. */
  @Differentiable
  public static double norm(double x) {
    return Math.abs(x);
  }

  /** sqrt(x² + y²), the two-parameter overload: record {@code Norm2}. */
  @Differentiable
  public static double norm(double x, double y) {
    return Math.sqrt(x * x + y * y);
  }

  /** A nested class: its gradients are generated as {@code Losses_InnerGrad}. */
  public static final class Inner {
    private Inner() {}

    /** x^n by repeated multiplication; n is never differentiated. */
    @Differentiable
    public static double power(double x, int n) {
      double p = 1;
      for (int k = 0; k < n; k++) {
        p *= x;
      }
      return p;
    }
  }
}

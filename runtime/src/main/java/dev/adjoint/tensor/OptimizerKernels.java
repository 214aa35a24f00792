package dev.adjoint.tensor;

import java.util.Objects;

/**
 * Internal: the element loops of the optimisers in {@code dev.adjoint.nn}, kept in this package so
 * that a step over tensors reads the parameter and the gradient and builds the updated parameter
 * without copying either (one pass, one new array). The tensor methods are pure in their tensors:
 * they read them and return a new tensor, so calling them cannot break immutability; the
 * optimiser's own state arrays (velocity, moments) are updated in place. The array methods write
 * {@code out}, which may be {@code p} itself (the in-place form). Call {@code dev.adjoint.nn.Sgd}
 * and {@code dev.adjoint.nn.Adam} instead, which document the rules.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /** {@code out = p - rate·g}. */
  public static void sgd(double[] p, double[] g, double[] out, double rate) {
    int n = checkLengths(p, g, out);
    for (int j = 0; j < n; j++) {
      out[j] = p[j] - rate * g[j];
    }
  }

  /** {@code v = momentum·v + g; out = p - rate·v}. */
  public static void sgdMomentum(double[] p, double[] g, double[] v, double[] out, double rate,
      double momentum) {
    int n = checkLengths(p, g, out);
    checkState(v, n);
    for (int j = 0; j < n; j++) {
      v[j] = momentum * v[j] + g[j];
      out[j] = p[j] - rate * v[j];
    }
  }

  /**
   * Adam: {@code m = β₁m + (1-β₁)g; v = β₂v + (1-β₂)g²;
   * out = p - rate·(m/c₁) / (√(v/c₂) + ε)}, with the bias corrections {@code c₁ = 1 - β₁ᵗ} and
   * {@code c₂ = 1 - β₂ᵗ} given.
   */
  public static void adam(double[] p, double[] g, double[] m, double[] v, double[] out,
      double rate, double beta1, double beta2, double epsilon, double correction1,
      double correction2) {
    int n = checkLengths(p, g, out);
    checkState(m, n);
    checkState(v, n);
    for (int j = 0; j < n; j++) {
      double gj = g[j];
      m[j] = beta1 * m[j] + (1 - beta1) * gj;
      v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
      double mHat = m[j] / correction1;
      double vHat = v[j] / correction2;
      out[j] = p[j] - rate * mHat / (Math.sqrt(vHat) + epsilon);
    }
  }

  /** {@link #sgd(double[], double[], double[], double)} into a new tensor of p's shape. */
  public static Tensor sgd(Tensor p, Tensor g, double rate) {
    double[] out = fresh("sgd", p, g);
    sgd(p.data, g.data, out, rate);
    return Tensor.wrap(out, p.shape);
  }

  /** {@link #sgdMomentum(double[], double[], double[], double[], double, double)}, new tensor. */
  public static Tensor sgdMomentum(Tensor p, Tensor g, double[] v, double rate, double momentum) {
    double[] out = fresh("sgdMomentum", p, g);
    sgdMomentum(p.data, g.data, v, out, rate, momentum);
    return Tensor.wrap(out, p.shape);
  }

  /** {@link #adam(double[], double[], double[], double[], double[], double, double, double,
   * double, double, double)} into a new tensor of p's shape. */
  public static Tensor adam(Tensor p, Tensor g, double[] m, double[] v, double rate,
      double beta1, double beta2, double epsilon, double correction1, double correction2) {
    double[] out = fresh("adam", p, g);
    adam(p.data, g.data, m, v, out, rate, beta1, beta2, epsilon, correction1, correction2);
    return Tensor.wrap(out, p.shape);
  }

  private static double[] fresh(String op, Tensor p, Tensor g) {
    Tensor.checkSameShape(op, p, g);
    return new double[p.data.length];
  }

  private static int checkLengths(double[] p, double[] g, double[] out) {
    int n = p.length;
    if (g.length != n || out.length != n) {
      throw new IllegalArgumentException("parameter, gradient and result lengths differ: "
          + n + ", " + g.length + ", " + out.length);
    }
    return n;
  }

  private static void checkState(double[] state, int n) {
    Objects.requireNonNull(state, "state is null");
    if (state.length != n) {
      throw new IllegalArgumentException(
          "state of length " + state.length + " for a parameter of length " + n);
    }
  }
}

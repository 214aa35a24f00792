package dev.adjoint.runtime;

/** Small array helpers that generated adjoints call. */
public final class Adjoints {
  private Adjoints() {}

  /** {@code target[i] += scale * source[i]} for every i: a callee's array gradient, scaled. */
  public static void addScaled(double[] target, double scale, double[] source) {
    for (int i = 0; i < target.length; i++) {
      target[i] += scale * source[i];
    }
  }

  /** {@code Σ a[i] b[i]}: a callee's array gradient along an array tangent (forward mode). */
  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}

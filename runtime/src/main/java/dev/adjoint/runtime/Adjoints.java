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
}

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

  /**
   * The caller's gradient array {@code out}, checked to have {@code length} elements (the length
   * of the parameter it is the gradient of) and zeroed: generated overloads that write the
   * gradient into the caller's array start from it.
   */
  public static double[] zeroed(double[] out, int length) {
    if (out.length != length) {
      throw new IllegalArgumentException("the gradient array has " + out.length
          + " elements but its parameter has " + length + ": pass an array of the parameter's length");
    }
    java.util.Arrays.fill(out, 0.0);
    return out;
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

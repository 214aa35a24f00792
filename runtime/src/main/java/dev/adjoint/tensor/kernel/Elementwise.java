package dev.adjoint.tensor.kernel;

/**
 * Element-wise transcendental functions over {@code double} arrays, for the tensor operations.
 *
 * <p>Only {@link #tanh} lives here: on JDK 17, {@link Math#tanh} is the fdlibm code of
 * {@link StrictMath} reached through JNI (about 20 ns per element), while {@link Math#exp} and
 * {@link Math#log} are already HotSpot intrinsics and gain little from this treatment.
 *
 * <h2>Kernels</h2>
 * The same arithmetic is written twice: once in plain Java ({@link #tanh(double)}) and once with
 * {@code jdk.incubator.vector} ({@code VectorElementwise}), used when the Vector API kernel of
 * {@link MatMul} is available (same detection, same {@code adjoint.matmul.noVector} switch).
 * Both use only IEEE-754 additions, multiplications, one division and exact bit manipulation, in
 * the same order and without fused multiply-adds, so <b>the two give bitwise identical results</b>
 * (NaN aside: a NaN result may differ in sign and payload, as Java leaves them unspecified):
 * the output does not depend on whether the Vector API is present, on the lane count, on the
 * position of an element in the array, or on whether the JIT has compiled the loop yet. (The Vector
 * API's own {@code VectorOperators.TANH} does not have that property: compiled, it calls
 * platform-specific approximation stubs; interpreted, it falls back to {@link Math#tanh}.)
 *
 * <h2>Accuracy</h2>
 * Within a few ulps of {@link Math#tanh} everywhere, with the same special values:
 * {@code tanh(±0) = ±0}, {@code tanh(x) = x} for tiny x, {@code tanh(±∞) = ±1}, NaN to NaN.
 */
public final class Elementwise {
  private Elementwise() {}

  /** Below this |x| the rational approximation is used, above it the exponential form. */
  static final double SMALL = 0.4;

  // Lambert's continued fraction for tanh cut at depth 6, tanh x = x·P(z)/Q(z) with z = x²
  // (relative error below 1e-17 for |x| < 0.4), evaluated as x·(1 + z·D(z)/Q(z)) with
  // z·D = P - Q: the rounding errors of the quotient are then damped by |z·D/Q| < 0.06.
  static final double D0 = -0.3333333333333333;
  static final double D1 = -0.020512820512820513;
  static final double D2 = -0.0001998001998001998;
  static final double Q1 = 0.46153846153846156;
  static final double Q2 = 0.023310023310023312;
  static final double Q3 = 0.0002072002072002072;

  // e = exp(y) for y in [-40, -0.8]: y = n·ln2 + r, |r| <= ln2/2, exp(r) by its Taylor
  // polynomial of degree 13 (truncation error below 5e-18), 2^n from the exponent bits.
  static final double LOWEST = -40.0; // exp(-40) < 2^-57: tanh is ±1 in double from |x| = 20
  static final double INV_LN2 = 1.4426950408889634;
  static final double LN2_HI = 6.93147180369123816490e-01; // trailing zeros: n·LN2_HI is exact
  static final double LN2_LO = 1.90821492927058770002e-10;
  /** 1.5·2⁵²: adding it rounds to an integer that the low bits of the sum then hold. */
  static final double SHIFT = 6755399441055744.0;
  static final double E2 = 1.0 / 2;
  static final double E3 = 1.0 / 6;
  static final double E4 = 1.0 / 24;
  static final double E5 = 1.0 / 120;
  static final double E6 = 1.0 / 720;
  static final double E7 = 1.0 / 5040;
  static final double E8 = 1.0 / 40320;
  static final double E9 = 1.0 / 362880;
  static final double E10 = 1.0 / 3628800;
  static final double E11 = 1.0 / 39916800;
  static final double E12 = 1.0 / 479001600;
  static final double E13 = 1.0 / 6227020800.0;

  /** The hyperbolic tangent, the portable way; bitwise equal to the vector kernel's lanes. */
  public static double tanh(double x) {
    double a = Math.abs(x);
    if (a < SMALL) {
      double z = x * x;
      double d = (D2 * z + D1) * z + D0;
      double q = ((Q3 * z + Q2) * z + Q1) * z + 1.0;
      return x * (z * d / q + 1.0);
    }
    double y = Math.max(a * -2.0, LOWEST);
    double kd = y * INV_LN2 + SHIFT;
    double nd = kd - SHIFT;
    double r = (y - nd * LN2_HI) - nd * LN2_LO;
    double p = E13 * r + E12;
    p = p * r + E11;
    p = p * r + E10;
    p = p * r + E9;
    p = p * r + E8;
    p = p * r + E7;
    p = p * r + E6;
    p = p * r + E5;
    p = p * r + E4;
    p = p * r + E3;
    p = p * r + E2;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^n: n is in the low bits of kd; the sum with SHIFT's bits vanishes in the shift
    double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(kd) + 1023) << 52);
    double e = p * scale;
    double t = (1.0 - e) / (1.0 + e);
    return x < 0 ? -t : t;
  }

  /** {@code y[yOffset + i] = tanh(x[xOffset + i])} for i in [0, n); x and y may be the same array. */
  public static void tanh(double[] x, int xOffset, double[] y, int yOffset, int n) {
    java.util.Objects.checkFromIndexSize(xOffset, n, x.length);
    java.util.Objects.checkFromIndexSize(yOffset, n, y.length);
    Kernel k = Fast.KERNEL;
    if (k != null && x != y && !MatMul.scalarForced()) {
      k.tanh(x, xOffset, y, yOffset, n);
    } else {
      tanhScalar(x, xOffset, y, yOffset, n);
    }
  }

  static void tanhScalar(double[] x, int xOffset, double[] y, int yOffset, int n) {
    for (int i = 0; i < n; i++) {
      y[yOffset + i] = tanh(x[xOffset + i]);
    }
  }

  /** Whether {@link #tanh(double[], int, double[], int, int)} uses the Vector API now. */
  public static boolean isVectorized() {
    return Fast.KERNEL != null && !MatMul.scalarForced();
  }

  /** The vector implementation; only {@code VectorElementwise} implements it. */
  interface Kernel {
    void tanh(double[] x, int xOffset, double[] y, int yOffset, int n);
  }

  /** The vector kernel, or null; loaded on first use, like {@link MatMul}'s. */
  static Kernel vectorKernel() {
    return Fast.KERNEL;
  }

  private static final class Fast {
    static final Kernel KERNEL = load();

    private static Kernel load() {
      if (!MatMul.isVectorKernelAvailable()) return null; // also honours adjoint.matmul.noVector
      try {
        Class<?> type = Class.forName(Elementwise.class.getPackageName() + ".VectorElementwise",
            true, Elementwise.class.getClassLoader());
        Kernel kernel = (Kernel) type.getDeclaredField("INSTANCE").get(null);
        return selfTest(kernel) ? kernel : null;
      } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    /** A few values across both branches, checked bitwise against the scalar code. */
    private static boolean selfTest(Kernel kernel) {
      double[] x = new double[37];
      for (int i = 0; i < x.length; i++) x[i] = (i - 18) * 0.37;
      x[0] = Double.NaN;
      x[1] = Double.NEGATIVE_INFINITY;
      x[2] = -0.0;
      double[] fast = new double[x.length];
      double[] slow = new double[x.length];
      kernel.tanh(x, 0, fast, 0, x.length);
      tanhScalar(x, 0, slow, 0, x.length);
      return java.util.Arrays.equals(fast, slow);
    }
  }
}

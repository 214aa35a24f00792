package dev.adjoint.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Elementwise#tanh}: accuracy against {@link Math#tanh} (fdlibm, under 1 ulp from the true
 * value) over every range and at the special values, and bitwise agreement of the vector kernel
 * with the scalar code at every length and offset.
 */
class ElementwiseTest {
  /** Largest distance from Math.tanh allowed, in ulps of the result (3 measured). */
  private static final double MAX_ULPS = 4;

  @AfterEach
  void restoreDefaults() {
    MatMul.useScalarKernel(false);
  }

  @Test
  void vectorKernelIsLoadedWhenTheModuleIsPresent() {
    assertNotNull(Elementwise.vectorKernel(), "vector element-wise kernel failed to load");
    assertTrue(Elementwise.isVectorized());
    MatMul.useScalarKernel(true);
    assertTrue(!Elementwise.isVectorized());
  }

  @Test
  void specialValues() {
    assertBits(0.0, Elementwise.tanh(0.0));
    assertBits(-0.0, Elementwise.tanh(-0.0));
    assertTrue(Double.isNaN(Elementwise.tanh(Double.NaN)));
    assertBits(1.0, Elementwise.tanh(Double.POSITIVE_INFINITY));
    assertBits(-1.0, Elementwise.tanh(Double.NEGATIVE_INFINITY));
    for (double big : new double[] {20, 22, 40, 100, 1e10, 1e300, Double.MAX_VALUE}) {
      assertBits(1.0, Elementwise.tanh(big));
      assertBits(-1.0, Elementwise.tanh(-big));
    }
    // tanh(x) = x in double for |x| below about 1e-8, subnormals included
    for (double tiny : new double[] {Double.MIN_VALUE, 3 * Double.MIN_VALUE, Double.MIN_NORMAL,
        1e-300, 1e-200, 1e-100, 1e-20, 1e-10, 1e-9}) {
      assertBits(tiny, Elementwise.tanh(tiny));
      assertBits(-tiny, Elementwise.tanh(-tiny));
    }
    // and the same through the array kernel, in vector lanes and in the tail
    double[] x = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300,
        0.4, -0.4, Math.nextDown(0.4), -Math.nextDown(0.4), 19.5, -19.5, 0.0, -0.0};
    double[] y = new double[x.length];
    Elementwise.tanh(x, 0, y, 0, x.length);
    for (int i = 0; i < x.length; i++) {
      assertBits(Elementwise.tanh(x[i]), y[i]);
      assertWithinUlps(x[i], y[i]);
    }
  }

  @Test
  void withinAFewUlpsOfMathTanh() {
    SplittableRandom random = new SplittableRandom(11);
    double[] x = new double[1 << 16];
    double[] y = new double[x.length];
    for (int rep = 0; rep < 24; rep++) {
      for (int i = 0; i < x.length; i++) {
        double v = switch (i % 6) {
          case 0 -> random.nextDouble(-1, 1);
          case 1 -> random.nextDouble(-0.45, 0.45); // around the switch of branches at 0.4
          case 2 -> random.nextDouble(-25, 25);
          case 3 -> random.nextGaussian() * 3;
          case 4 -> Math.scalb(random.nextDouble(1, 2), random.nextInt(-1074, 8));
          default -> Math.scalb(random.nextDouble(1, 2), random.nextInt(-30, 2));
        };
        x[i] = random.nextBoolean() ? v : -v;
      }
      Elementwise.tanh(x, 0, y, 0, x.length);
      for (int i = 0; i < x.length; i++) {
        assertWithinUlps(x[i], y[i]);
      }
    }
    // a dense grid through both branches
    for (double v = -21; v <= 21; v += 1.0 / 4096) {
      assertWithinUlps(v, Elementwise.tanh(v));
    }
  }

  @Test
  void oddAndBounded() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 200_000; i++) {
      double v = random.nextGaussian() * 4;
      double t = Elementwise.tanh(v);
      assertBits(-t, Elementwise.tanh(-v));
      assertTrue(t >= -1 && t <= 1, () -> "tanh(" + v + ") = " + t);
    }
  }

  /** Same bits from the vector kernel, the scalar code and every length/offset (tails). */
  @Test
  void vectorKernelAgreesBitwiseWithScalarCode() {
    Elementwise.Kernel vector = Elementwise.vectorKernel();
    assertNotNull(vector);
    SplittableRandom random = new SplittableRandom(3);
    double[] x = new double[4099];
    for (int i = 0; i < x.length; i++) {
      x[i] = switch (i % 4) {
        case 0 -> random.nextDouble(-0.5, 0.5);
        case 1 -> random.nextGaussian() * 5;
        case 2 -> Math.scalb(random.nextDouble(-2, 2), random.nextInt(-1074, 1024));
        default -> new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.4, -0.4, 20, -20}[random.nextInt(9)];
      };
    }
    double[] expected = new double[x.length];
    Elementwise.tanhScalar(x, 0, expected, 0, x.length);
    for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 33, 100, 4095, 4096}) {
      for (int off = 0; off < 3; off++) {
        double[] y = new double[n + 5];
        vector.tanh(x, off, y, 2, n);
        for (int i = 0; i < n; i++) {
          if (Double.doubleToLongBits(y[2 + i]) != Double.doubleToLongBits(expected[off + i])) {
            fail("n=" + n + ", offset=" + off + ", x=" + x[off + i] + ": vector " + y[2 + i]
                + ", scalar " + expected[off + i]);
          }
        }
        assertBits(0.0, y[0]);
        assertBits(0.0, y[1]);
        for (int i = n + 2; i < y.length; i++) assertBits(0.0, y[i]);
      }
    }
    // through the public entry point, either kernel
    double[] a = new double[x.length];
    double[] b = new double[x.length];
    Elementwise.tanh(x, 0, a, 0, x.length);
    MatMul.useScalarKernel(true);
    Elementwise.tanh(x, 0, b, 0, x.length);
    for (int i = 0; i < x.length; i++) {
      assertBits(a[i], b[i]);
      assertBits(expected[i], a[i]);
    }
  }

  @Test
  void inPlaceIsAllowed() {
    double[] x = {-3, -0.2, 0, 0.1, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    double[] expected = new double[x.length];
    Elementwise.tanhScalar(x, 0, expected, 0, x.length);
    Elementwise.tanh(x, 0, x, 0, x.length);
    for (int i = 0; i < x.length; i++) assertBits(expected[i], x[i]);
  }

  @Test
  void tensorTanhUsesIt() {
    Tensor x = Tensor.randomNormal(9, 37, 11).mul(3);
    double[] in = x.toArray();
    double[] out = x.tanh().toArray();
    for (int i = 0; i < in.length; i++) {
      assertBits(Elementwise.tanh(in[i]), out[i]);
    }
  }

  private static void assertWithinUlps(double x, double actual) {
    double expected = Math.tanh(x);
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), () -> "tanh(" + x + ") = " + actual + ", expected NaN");
      return;
    }
    double ulps = Math.abs(actual - expected) / Math.ulp(expected);
    if (!(ulps <= MAX_ULPS) || (expected == 0 && Double.doubleToLongBits(actual)
        != Double.doubleToLongBits(expected))) {
      fail("tanh(" + x + ") = " + actual + ", Math.tanh gives " + expected + " (" + ulps
          + " ulps)");
    }
  }

  /** Equal bits, except that any NaN equals any NaN (payload and sign are not specified). */
  private static void assertBits(double expected, double actual) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        () -> "expected " + expected + " but was " + actual);
  }
}

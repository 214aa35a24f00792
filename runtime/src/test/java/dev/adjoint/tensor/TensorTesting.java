package dev.adjoint.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Shared helpers of the tensor tests: naive reference computations and assertions. */
final class TensorTesting {
  private TensorTesting() {}

  static int[] shape(int... dims) {
    return dims;
  }

  /** The element of {@code t} that broadcasting maps output index {@code out} to. */
  static double broadcastGet(Tensor t, int[] out) {
    int[] s = t.shape();
    int[] idx = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      int o = out[out.length - s.length + i];
      idx[i] = s[i] == 1 ? 0 : o;
    }
    return t.get(idx);
  }

  /** All multi-indices of a shape in row-major order. */
  static int[][] indices(int[] shape) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    int[][] out = new int[size][];
    int[] idx = new int[shape.length];
    for (int n = 0; n < size; n++) {
      out[n] = idx.clone();
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Naive matrix product of a [m, k] and b [k, n] given as flat arrays. */
  static double[] naiveMatmul(double[] a, double[] b, int m, int k, int n) {
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a[i * k + p] * b[p * n + j];
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }

  static void assertClose(double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, "length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      assertTrue(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)),
          "element " + i + ": expected " + e + " but was " + a);
    }
  }

  static void assertTensor(Tensor actual, double[] expected, int... shape) {
    assertArrayEquals(shape, actual.shape(), "shape");
    assertClose(expected, actual.toArray(), 1e-12);
  }

  /** Asserts an IllegalArgumentException whose message is exactly {@code message}. */
  static void assertMessage(String message, Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertEquals(message, x.getMessage());
  }

  /** Asserts an IllegalArgumentException whose message starts with op and names both shapes. */
  static void assertShapeError(String op, String shapeA, String shapeB, Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    String m = x.getMessage();
    assertTrue(m.startsWith(op + ":"), m);
    assertTrue(m.contains(shapeA), "'" + m + "' should name " + shapeA);
    assertTrue(m.contains(shapeB), "'" + m + "' should name " + shapeB);
  }
}

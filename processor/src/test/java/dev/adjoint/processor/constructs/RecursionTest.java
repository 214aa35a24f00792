package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Direct and mutual recursion: the gradient method of a recursive method calls itself (its
 * adjoint is recursive too), in reverse mode, forward mode and for Hessians.
 */
class RecursionTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Rec", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Rec {
          /** Determinant of the n×n row-major matrix a, by expansion in minors along row 0. */
          @Differentiable
          public static double det(double[] a, int n) {
            double[] m = new double[(n - 1) * (n - 1)];
            if (n == 1) {
              return a[0];
            }
            double s = 0;
            double sign = 1;
            for (int j = 0; j < n; j++) {
              for (int r = 1; r < n; r++) {
                int k = 0;
                for (int col = 0; col < n; col++) {
                  if (col != j) {
                    m[(r - 1) * (n - 1) + k] = a[r * n + col];
                    k++;
                  }
                }
              }
              s += sign * a[j] * det(m, n - 1);
              sign = -sign;
            }
            return s;
          }

          /** x^k by squaring: a recursion tree of depth log k. */
          @Differentiable(forward = true, hessian = true)
          public static double pow(double x, int k) {
            if (k == 0) {
              return 1;
            }
            double h = pow(x, k / 2);
            if (k % 2 == 0) {
              return h * h;
            }
            return x * h * h;
          }

          /** x^n with the base case in ?:, whose other branch must not recurse at n == 0. */
          @Differentiable(forward = true, hessian = true)
          public static double power(double x, double y, int n) {
            return n == 0 ? y : x * power(x, y, n - 1) + 0.0 * power(y, x, 0);
          }

          /** Mutual recursion over an int depth: even calls odd calls even. */
          @Differentiable(forward = true, hessian = true)
          public static double even(double x, double y, int depth) {
            if (depth <= 0) {
              return Math.sin(x) * y;
            }
            return Math.cos(odd(x * y, y, depth - 1)) + x;
          }

          @Differentiable(forward = true, hessian = true)
          public static double odd(double x, double y, int depth) {
            if (depth <= 0) {
              return x * x + y;
            }
            return even(y, x, depth - 1) * x;
          }

          /** Two recursive calls per level: a Fibonacci-like tree over doubles. */
          @Differentiable(hessian = true)
          public static double tree(double x, double y, int n) {
            if (n < 2) {
              return n == 0 ? x : y;
            }
            return Math.tanh(tree(x, y, n - 1)) + 0.5 * tree(y, x, n - 2) * x;
          }
        }
        """);
  }

  private static double[] randomMatrix(int n, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble() * 2 - 1;
    }
    for (int i = 0; i < n; i++) {
      a[i * n + i] += 2; // well conditioned
    }
    return a;
  }

  @Test
  void determinantOfSmallMatricesMatchesFiniteDifferences() {
    for (int n = 1; n <= 4; n++) {
      assertMatches(c, "p.Rec", "det", 1e-6, randomMatrix(n, n), n);
    }
  }

  @Test
  void determinantRecursingEightDeepMatchesFiniteDifferencesAndTheClosedForm() {
    int n = 8;
    double[] a = randomMatrix(n, 42);
    assertMatches(c, "p.Rec", "det", 1e-6, a, n);
    Map<String, Object> g = Compiled.components(c.call("p.RecGrad", "det", a, n));
    double det = (double) g.get("value");
    double[] grad = (double[]) g.get("a");
    // ∂det/∂A = det(A) · A^{-T}, i.e. grad[i][j] = det · inv[j][i]
    double[] inv = inverse(a, n);
    double scale = 0;
    for (double v : grad) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertEquals(det * inv[j * n + i], grad[i * n + j], 1e-10 * scale, "entry " + i + "," + j);
      }
    }
    assertEquals(det, (double) c.call("p.Rec", "det", a, n), 0);
  }

  @Test
  void determinantNineByNine() {
    int n = 9;
    double[] a = randomMatrix(n, 7);
    Map<String, Object> g = Compiled.components(c.call("p.RecGrad", "det", a, n));
    double det = (double) g.get("value");
    double[] grad = (double[]) g.get("a");
    double[] inv = inverse(a, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertEquals(det * inv[j * n + i], grad[i * n + j], 1e-9 * Math.abs(det), "entry " + i + "," + j);
      }
    }
  }

  /** Gauss–Jordan with partial pivoting. */
  static double[] inverse(double[] a, int n) {
    double[] m = a.clone();
    double[] inv = new double[n * n];
    for (int i = 0; i < n; i++) {
      inv[i * n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int p = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r * n + col]) > Math.abs(m[p * n + col])) {
          p = r;
        }
      }
      for (int k = 0; k < n; k++) {
        double t = m[col * n + k];
        m[col * n + k] = m[p * n + k];
        m[p * n + k] = t;
        t = inv[col * n + k];
        inv[col * n + k] = inv[p * n + k];
        inv[p * n + k] = t;
      }
      double d = m[col * n + col];
      for (int k = 0; k < n; k++) {
        m[col * n + k] /= d;
        inv[col * n + k] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != col) {
          double f = m[r * n + col];
          for (int k = 0; k < n; k++) {
            m[r * n + k] -= f * m[col * n + k];
            inv[r * n + k] -= f * inv[col * n + k];
          }
        }
      }
    }
    return inv;
  }

  @Test
  void powerBySquaringInAllModes() {
    for (int k : new int[] {0, 1, 2, 5, 8, 13}) {
      double x = 1.3;
      assertMatches(c, "p.Rec", "pow", 1e-6, x, k);
      Map<String, Object> g = Compiled.components(c.call("p.RecGrad", "pow", x, k));
      assertEquals(Math.pow(x, k), (double) g.get("value"), 1e-12 * Math.pow(x, k));
      assertEquals(k * Math.pow(x, k - 1), (double) g.get("x"), 1e-12 * Math.pow(x, k));
      Map<String, Object> jvp = Compiled.components(c.call("p.RecGrad", "powJvp", x, k, 1.0));
      assertEquals(k * Math.pow(x, k - 1), (double) jvp.get("tangent"), 1e-12 * Math.pow(x, k));
      Map<String, Object> h = Compiled.components(c.call("p.RecGrad", "powHessian", x, k));
      double[][] hessian = (double[][]) h.get("hessian");
      assertEquals(k * (k - 1) * Math.pow(x, k - 2), hessian[0][0], 1e-11 * Math.pow(x, k));
    }
  }

  @Test
  void mutualRecursionInAllModes() {
    for (int depth = 0; depth <= 9; depth++) {
      double x = 0.7;
      double y = -0.4;
      assertMatches(c, "p.Rec", "even", 1e-6, x, y, depth);
      assertMatches(c, "p.Rec", "odd", 1e-6, x, y, depth);
      Map<String, Object> g = Compiled.components(c.call("p.RecGrad", "even", x, y, depth));
      Map<String, Object> jvp = Compiled.components(c.call("p.RecGrad", "evenJvp", x, y, depth, 0.3, -1.1));
      assertEquals(0.3 * (double) g.get("x") - 1.1 * (double) g.get("y"), (double) jvp.get("tangent"), 1e-12);
      checkHessian("even", x, y, depth);
      checkHessian("odd", x, y, depth);
    }
  }

  @Test
  void baseCaseInAConditionalExpression() {
    for (int n = 0; n <= 6; n++) {
      double x = 1.2;
      double y = 0.7;
      assertMatches(c, "p.Rec", "power", 1e-6, x, y, n);
      Map<String, Object> g = Compiled.components(c.call("p.RecGrad", "power", x, y, n));
      assertEquals(n * Math.pow(x, n - 1) * y, (double) g.get("x"), 1e-12);
      Map<String, Object> jvp = Compiled.components(c.call("p.RecGrad", "powerJvp", x, y, n, 1.0, 0.0));
      assertEquals((double) g.get("x"), (double) jvp.get("tangent"), 1e-12);
      checkHessian("power", x, y, n);
    }
  }

  @Test
  void treeRecursionWithTwoCallsPerLevel() {
    for (int n = 0; n <= 12; n++) {
      assertMatches(c, "p.Rec", "tree", 1e-6, 0.3, 0.8, n);
      checkHessian("tree", 0.3, 0.8, n);
    }
  }

  /** The generated Hessian against central differences of the generated gradient. */
  private static void checkHessian(String f, double x, double y, int n) {
    Map<String, Object> h = Compiled.components(c.call("p.RecGrad", f + "Hessian", x, y, n));
    double[][] hessian = (double[][]) h.get("hessian");
    double e = 1e-5;
    double[][] fd = new double[2][2];
    for (int j = 0; j < 2; j++) {
      double[] plus = grad(f, x + (j == 0 ? e : 0), y + (j == 1 ? e : 0), n);
      double[] minus = grad(f, x - (j == 0 ? e : 0), y - (j == 1 ? e : 0), n);
      for (int i = 0; i < 2; i++) {
        fd[i][j] = (plus[i] - minus[i]) / (2 * e);
      }
    }
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(fd[i][j], hessian[i][j], 1e-5 * Math.max(1, Math.abs(fd[i][j])),
            f + " depth " + n + " H[" + i + "][" + j + "]");
      }
    }
  }

  private static double[] grad(String f, double x, double y, int n) {
    Map<String, Object> g = Compiled.components(c.call("p.RecGrad", f, x, y, n));
    return new double[] {(double) g.get("x"), (double) g.get("y")};
  }
}

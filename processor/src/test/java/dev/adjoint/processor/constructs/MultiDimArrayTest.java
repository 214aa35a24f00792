package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * double[][] and double[][][] parameters and locals: element reads and writes, row lengths,
 * rows named by locals and by enhanced for, gradients shaped like the parameter (ragged rows
 * included), checked against finite differences and closed forms.
 */
class MultiDimArrayTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Nd", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Nd {
          /** Least squares of a matrix-vector product: every parameter differentiated. */
          @Differentiable
          public static double matVec(double[][] a, double[] x, double[] y) {
            double loss = 0;
            for (int i = 0; i < a.length; i++) {
              double r = -y[i];
              for (int j = 0; j < x.length; j++) {
                r += a[i][j] * x[j];
              }
              loss += r * r;
            }
            return loss;
          }

          /** x^T A x. */
          @Differentiable
          public static double quadForm(double[][] a, double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              for (int j = 0; j < x.length; j++) {
                s += x[i] * a[i][j] * x[j];
              }
            }
            return s;
          }

          /** A ragged array, its rows' lengths read with a[i].length. */
          @Differentiable
          public static double ragged(double[][] a) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              for (int j = 0; j < a[i].length; j++) {
                s += (j + 1) * a[i][j] * a[i][j] * Math.sin(a[i][j]);
              }
            }
            return s;
          }

          /** Frobenius norm, over rows and their elements with enhanced for. */
          @Differentiable
          public static double frobenius(double[][] a) {
            double s = 0;
            for (double[] row : a) {
              for (double v : row) {
                s += v * v;
              }
            }
            return Math.sqrt(s);
          }

          /** A 3-D tensor contracted with three vectors, through tanh. */
          @Differentiable
          public static double contraction(double[][][] t, double[] u, double[] v, double[] w) {
            double s = 0;
            for (int i = 0; i < t.length; i++) {
              for (int j = 0; j < t[i].length; j++) {
                for (int k = 0; k < t[i][j].length; k++) {
                  s += t[i][j][k] * u[i] * v[j] * w[k];
                }
              }
            }
            return Math.tanh(s);
          }

          /** A row named by a local, read only: its adjoint is the row of a's adjoint. */
          @Differentiable
          public static double rowDots(double[][] a, double[] w) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              double[] row = a[i];
              double d = 0;
              for (int j = 0; j < row.length; j++) {
                d += row[j] * w[j];
              }
              s += Math.exp(d) * row[0];
            }
            return s;
          }

          /** In-place updates of a local matrix in a loop: the old values are taped. */
          @Differentiable
          public static double inPlace(double[][] a, double x) {
            double[][] m = new double[a.length][a[0].length];
            for (int i = 0; i < a.length; i++) {
              for (int j = 0; j < a[i].length; j++) {
                m[i][j] = a[i][j];
              }
            }
            for (int k = 0; k < 3; k++) {
              for (int i = 0; i < m.length; i++) {
                for (int j = 0; j < m[i].length; j++) {
                  m[i][j] = m[i][j] * x + Math.sin(m[i][j]);
                }
              }
            }
            double s = 0;
            for (int i = 0; i < m.length; i++) {
              for (int j = 0; j < m[i].length; j++) {
                s += m[i][j] * m[i][j];
              }
            }
            return s;
          }

          /** Compound updates of a local matrix, written through a row local. */
          @Differentiable
          public static double rowWrites(double[][] a, double[] b) {
            double[][] m = new double[a.length][b.length];
            for (int i = 0; i < a.length; i++) {
              double[] r = m[i];
              for (int j = 0; j < b.length; j++) {
                r[j] += a[i][j] * b[j];
                r[j] *= r[j];
              }
            }
            double s = 0;
            for (double[] r : m) {
              for (int j = 0; j < r.length; j++) {
                s += r[j];
              }
            }
            return s;
          }

          /** A 3-D local, written and read back. */
          @Differentiable
          public static double local3d(double[] x) {
            double[][][] t = new double[2][3][x.length];
            for (int i = 0; i < 2; i++) {
              for (int j = 0; j < 3; j++) {
                for (int k = 0; k < x.length; k++) {
                  t[i][j][k] = (i + 1) * x[k] - j;
                }
              }
            }
            double s = 0;
            for (double[][] slab : t) {
              for (double[] row : slab) {
                s += row[0] * row[row.length - 1];
              }
            }
            return s;
          }

          /** wrt names a matrix; an int matrix-shaped loop bound and a scalar are data. */
          @Differentiable(wrt = {"a"})
          public static double onlyA(double[][] a, double[][] b, double k) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              for (int j = 0; j < a[i].length; j++) {
                s += k * a[i][j] * b[i][j];
              }
            }
            return s;
          }

          /** Writes through m and through a row local of m see each other (Java's aliasing). */
          @Differentiable
          public static double aliasing(double x, double[] w) {
            double[][] m = new double[2][w.length];
            double[] r = m[1];
            m[1][0] = x * w[0];
            double y = r[0] * 2;
            r[1] = y + w[1];
            r[0] *= x;
            return m[1][1] * m[1][0] + r[1];
          }

          /** var, a row of a row (3-D), for over the elements of a row, a call on elements. */
          @Differentiable
          public static double slabs(double[][][] t, double x) {
            double s = 0;
            for (int k = 0; k < t.length; k++) {
              var slab = t[k];
              for (int i = 0; i < slab.length; i++) {
                double[] row = slab[i];
                for (double v : t[k][i]) {
                  s += square(v - x) * row.length;
                }
                if (row.length > 1) {
                  s += row[1] * slab[i][0];
                }
              }
            }
            return s;
          }

          @Differentiable
          public static double square(double v) {
            return v * v;
          }

          /** A row local in a loop whose index is taped (not a counted loop). */
          @Differentiable
          public static double taped(double[][] a, double x) {
            double h = x;
            for (int i = 0; i < a.length; i = i + 1) {
              double[] row = a[i];
              h = Math.tanh(row[0] * h + row[row.length - 1]);
            }
            return h;
          }

          /** Forward mode and the writing overload along a 3-D array. */
          @Differentiable(forward = true)
          public static double fwd3(double[][][] t) {
            double s = 0;
            for (double[][] slab : t) {
              for (double[] row : slab) {
                for (int j = 0; j < row.length; j++) {
                  s += Math.exp(row[j]) * (j + 1);
                }
              }
            }
            return Math.log(s);
          }

          final double scale = 2;

          /** An instance method: its field is data, its matrix parameter differentiated. */
          @Differentiable
          public double scaled(double[][] a) {
            double s = 0;
            for (double[] row : a) {
              for (double v : row) {
                s += scale * v * v;
              }
            }
            return s;
          }

          /** Forward mode along a matrix direction. */
          @Differentiable(forward = true)
          public static double fwd(double[][] a, double x) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              for (int j = 0; j < a[i].length; j++) {
                s += Math.sin(a[i][j] * x);
              }
            }
            return s * s;
          }
        }
        """);
  }

  static final double[][] A = {{0.5, -1.2, 0.3}, {0.8, 0.1, -0.7}};
  static final double[][] RAGGED = {{0.5, -1.2, 0.3}, {0.8}, {}, {0.1, -0.7}};

  @Test
  void matrixVectorLoss() {
    Gradients.assertMatches(c, "p.Nd", "matVec", 1e-6, A, new double[] {0.4, -0.2, 1.1},
        new double[] {0.3, -0.9});
  }

  @Test
  void quadraticFormHasClosedForm() {
    double[][] a = {{1.0, 2.0, -0.5}, {0.3, -1.0, 0.7}, {0.2, 0.4, 1.5}};
    double[] x = {0.7, -1.3, 0.4};
    Map<String, Object> g = Compiled.components(c.call("p.NdGrad", "quadForm", a, x));
    double[][] ga = (double[][]) g.get("a");
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < 3; i++) {
      double ax = 0;
      for (int j = 0; j < 3; j++) {
        assertEquals(x[i] * x[j], ga[i][j], 1e-12); // d(x^T A x)/dA = x x^T
        ax += (a[i][j] + a[j][i]) * x[j];
      }
      assertEquals(ax, gx[i], 1e-12); // d/dx = (A + A^T) x
    }
  }

  @Test
  void raggedGradientIsShapedLikeTheParameter() {
    Map<String, Object> g = Compiled.components(c.call("p.NdGrad", "ragged", (Object) RAGGED));
    double[][] ga = (double[][]) g.get("a");
    assertEquals(RAGGED.length, ga.length);
    for (int i = 0; i < RAGGED.length; i++) {
      assertEquals(RAGGED[i].length, ga[i].length);
    }
    Gradients.assertMatches(c, "p.Nd", "ragged", 1e-6, (Object) RAGGED);
  }

  @Test
  void frobeniusNorm() {
    double[][] ga = (double[][]) Compiled.components(c.call("p.NdGrad", "frobenius", (Object) RAGGED)).get("a");
    double norm = Math.sqrt(Gradients.flatten(RAGGED).length == 0 ? 0
        : java.util.Arrays.stream(Gradients.flatten(RAGGED)).map(v -> v * v).sum());
    for (int i = 0; i < RAGGED.length; i++) {
      for (int j = 0; j < RAGGED[i].length; j++) {
        assertEquals(RAGGED[i][j] / norm, ga[i][j], 1e-12); // d|A|/dA = A / |A|
      }
    }
    Gradients.assertMatches(c, "p.Nd", "frobenius", 1e-6, (Object) A);
  }

  @Test
  void tensorContraction() {
    double[][][] t = {{{0.1, 0.2}, {-0.3, 0.4}, {0.5, 0.1}}, {{0.2, -0.1}, {0.3, 0.3}, {-0.4, 0.2}}};
    Gradients.assertMatches(c, "p.Nd", "contraction", 1e-6, t, new double[] {0.5, -0.4},
        new double[] {0.3, 0.8, -0.6}, new double[] {1.1, 0.7});
  }

  @Test
  void rowLocalReadOnly() {
    Gradients.assertMatches(c, "p.Nd", "rowDots", 1e-6, A, new double[] {0.2, -0.5, 0.9});
  }

  @Test
  void inPlaceUpdatesInLoops() {
    Gradients.assertMatches(c, "p.Nd", "inPlace", 1e-6, A, 0.7);
    Gradients.assertMatches(c, "p.Nd", "inPlace", 1e-6, RAGGED_RECT, -1.3);
  }

  static final double[][] RAGGED_RECT = {{0.5, -0.2}, {0.9, 0.4}, {-0.6, 0.3}};

  @Test
  void writesThroughARowLocal() {
    Gradients.assertMatches(c, "p.Nd", "rowWrites", 1e-6, A, new double[] {0.4, -0.8, 1.2});
  }

  @Test
  void threeDimensionalLocal() {
    Gradients.assertMatches(c, "p.Nd", "local3d", 1e-6, (Object) new double[] {0.4, -0.8, 1.2});
  }

  @Test
  void wrtNamesAMatrix() {
    Map<String, Object> g = Compiled.components(c.call("p.NdGrad", "onlyA", A, RAGGED_T, 2.0));
    assertEquals(java.util.Set.of("value", "a"), g.keySet());
    Gradients.assertMatches(c, "p.Nd", "onlyA", 1e-6, A, RAGGED_T, 2.0);
  }

  static final double[][] RAGGED_T = {{1.0, 2.0, 3.0}, {-1.0, 0.5, 0.25}};

  @Test
  void writingOverloadFillsTheCallersMatrices() throws Exception {
    double[] x = {0.4, -0.2, 1.1};
    double[] y = {0.3, -0.9};
    Map<String, Object> record = Compiled.components(c.call("p.NdGrad", "matVec", A, x, y));
    double[][] ga = {{9, 9, 9}, {9, 9, 9}}; // overwritten, not added to
    double[] gx = new double[3];
    double[] gy = new double[2];
    double value = (double) c.load("p.NdGrad").getMethod("matVec", double[][].class, double[].class,
        double[].class, double[][].class, double[].class, double[].class).invoke(null, A, x, y, ga, gx, gy);
    assertEquals((double) record.get("value"), value, 0);
    double[][] expected = (double[][]) record.get("a");
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(expected[i], ga[i], 0);
    }
    assertArrayEquals((double[]) record.get("x"), gx, 0);
    assertArrayEquals((double[]) record.get("y"), gy, 0);
  }

  @Test
  void writingOverloadChecksTheShape() throws Exception {
    var m = c.load("p.NdGrad").getMethod("ragged", double[][].class, double[][].class);
    var ex = org.junit.jupiter.api.Assertions.assertThrows(java.lang.reflect.InvocationTargetException.class,
        () -> m.invoke(null, RAGGED, new double[][] {{0, 0, 0}, {0, 0}, {}, {0, 0}}));
    assertTrue(ex.getCause() instanceof IllegalArgumentException, ex.getCause().toString());
  }

  @Test
  void writesThroughAnAliasAndTheArraySeeEachOther() {
    Gradients.assertMatches(c, "p.Nd", "aliasing", 1e-6, 0.8, new double[] {1.5, -0.4, 0.2});
    // the value: m[1][0] = x w0; y = 2 x w0; r[1] = y + w1; m[1][0] *= x
    double x = 0.8;
    double w0 = 1.5;
    double w1 = -0.4;
    double expected = (2 * x * w0 + w1) * (x * w0 * x) + 2 * x * w0 + w1;
    assertEquals(expected, (double) c.call("p.Nd", "aliasing", 0.8, new double[] {1.5, -0.4, 0.2}), 1e-12);
  }

  @Test
  void rowsOfRowsVarAndCalls() {
    double[][][] t = {{{0.1, 0.2, 0.7}, {-0.3}}, {{0.2, -0.1}, {0.3, 0.3, 0.1}, {}}};
    Gradients.assertMatches(c, "p.Nd", "slabs", 1e-6, t, 0.4);
  }

  @Test
  void rowLocalInATapedLoop() {
    Gradients.assertMatches(c, "p.Nd", "taped", 1e-6, RAGGED_RECT, 0.3);
    Gradients.assertMatches(c, "p.Nd", "taped", 1e-6, new double[][] {{0.5}, {0.9, 0.4, -1}, {-0.6, 0.3}}, 0.3);
  }

  @Test
  void threeDimensionalForwardModeAndWritingOverload() throws Exception {
    double[][][] t = {{{0.1, 0.2}, {-0.3}}, {{0.2, -0.1, 0.5}}};
    double[][][] dt = {{{1.0, -0.5}, {0.25}}, {{0.5, 2.0, -1.0}}};
    Map<String, Object> g = Compiled.components(c.call("p.NdGrad", "fwd3", (Object) t));
    double[][][] gt = (double[][][]) g.get("t");
    double expected = 0;
    double[] flatG = Gradients.flatten(gt);
    double[] flatD = Gradients.flatten(dt);
    for (int i = 0; i < flatG.length; i++) {
      expected += flatG[i] * flatD[i];
    }
    Object jvp = c.load("p.NdGrad").getMethod("fwd3Jvp", double[][][].class, double[][][].class)
        .invoke(null, t, dt);
    assertEquals(expected, (double) Compiled.components(jvp).get("tangent"), 1e-12);
    Gradients.assertMatches(c, "p.Nd", "fwd3", 1e-6, (Object) t);

    double[][][] into = {{{7, 7}, {7}}, {{7, 7, 7}}};
    double value = (double) c.load("p.NdGrad").getMethod("fwd3", double[][][].class, double[][][].class)
        .invoke(null, t, into);
    assertEquals((double) g.get("value"), value, 0);
    assertArrayEquals(flatG, Gradients.flatten(into), 0);
  }

  @Test
  void instanceMethodWithAMatrixParameter() throws Exception {
    Object self = c.load("p.Nd").getConstructor().newInstance();
    double[][] ga = (double[][]) Compiled.components(c.call("p.NdGrad", "scaled", self, RAGGED)).get("a");
    for (int i = 0; i < RAGGED.length; i++) {
      assertEquals(RAGGED[i].length, ga[i].length);
      for (int j = 0; j < RAGGED[i].length; j++) {
        assertEquals(4 * RAGGED[i][j], ga[i][j], 1e-12); // d(2 v^2)/dv
      }
    }
  }

  @Test
  void forwardModeAlongAMatrix() throws Exception {
    double[][] da = {{0.3, -0.1, 0.2}, {0.5, 0.0, -0.4}};
    double dx = 0.7;
    Object jvp = c.load("p.NdGrad").getMethod("fwdJvp", double[][].class, double.class, double[][].class,
        double.class).invoke(null, A, 0.9, da, dx);
    double tangent = (double) Compiled.components(jvp).get("tangent");
    Map<String, Object> g = Compiled.components(c.call("p.NdGrad", "fwd", A, 0.9));
    double[][] ga = (double[][]) g.get("a");
    double expected = (double) g.get("x") * dx;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        expected += ga[i][j] * da[i][j];
      }
    }
    assertEquals(expected, tangent, 1e-12);
    Gradients.assertMatches(c, "p.Nd", "fwd", 1e-6, A, 0.9);
  }
}

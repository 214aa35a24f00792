package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * n-D arrays across calls: double[][] and double[][][] (ragged too) passed to helpers, annotated
 * or not, private or not, static or of the instance; gradients shaped like the parameter,
 * checked against finite differences, forward mode against the gradient.
 */
class MultiDimCallsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdCalls", """
        package p;
        import dev.adjoint.Differentiable;
        public final class NdCalls {
          final double scale = 1.5;
          final double[][] weights;
          final int[][] edges;
          static final double[][] KERNEL = {{0.25, 0.5}, {-0.5, 0.75, 1.0}};
          private static final int[][] PAIRS = {{0, 1}, {1, 2}, {2, 0}};

          public NdCalls() {
            this(new double[][] {{0.3, -0.2, 0.5}, {0.1, 0.4, -0.6}}, new int[][] {{0, 2}, {1, 1}});
          }

          public NdCalls(double[][] weights, int[][] edges) {
            this.weights = weights;
            this.edges = edges;
          }

          /** n-D fields read as data: the instance's weights and edges, a static kernel and pairs. */
          @Differentiable
          public double fields(double[] x) {
            double s = 0;
            for (int i = 0; i < weights.length; i++) {
              s += Math.tanh(dot(weights[i], x)) * this.weights[i][0];
            }
            for (int[] e : edges) {
              s += x[e[0]] * x[e[1]];
            }
            for (int k = 0; k < PAIRS.length; k++) {
              s += KERNEL[k % 2][PAIRS[k][1] % KERNEL[k % 2].length] * Math.sin(x[PAIRS[k][0]] - x[PAIRS[k][1]]);
            }
            return s + frob(NdCalls.KERNEL, x[0]) + dot(KERNEL[1], x);
          }

          /** An int[][] parameter as data: a sparse matrix-vector product's norm. */
          @Differentiable
          public static double sparse(double[] values, int[][] where, double[] x) {
            double s = 0;
            for (int k = 0; k < values.length; k++) {
              double v = values[k] * x[where[k][1]];
              s += v * v * (where[k][0] + 1);
            }
            return s;
          }

          /** An annotated helper of a matrix and a vector. */
          @Differentiable
          public static double quad(double[][] a, double[] x) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              for (int j = 0; j < a[i].length; j++) {
                s += x[i] * a[i][j] * x[j];
              }
            }
            return s;
          }

          /** A private helper, differentiated implicitly. */
          private static double frob(double[][] m, double w) {
            double s = 0;
            for (double[] row : m) {
              for (double v : row) {
                s += Math.sin(w * v) * v;
              }
            }
            return s;
          }

          private static double sum3(double[][][] t) {
            double s = 0;
            for (int i = 0; i < t.length; i++) {
              for (int j = 0; j < t[i].length; j++) {
                for (int k = 0; k < t[i][j].length; k++) {
                  s += t[i][j][k] * t[i][j][k] * (k + 1);
                }
              }
            }
            return s;
          }

          /** A parameter matrix passed to both helpers, twice. */
          @Differentiable
          public static double params(double[][] a, double[] x, double w) {
            return quad(a, x) * frob(a, w) + frob(a, 2 * w);
          }

          /** A local matrix built from the parameters, passed to a helper in a loop. */
          @Differentiable
          public static double local(double[] x, double w) {
            double[][] m = new double[x.length][x.length];
            double s = 0;
            for (int k = 0; k < 3; k++) {
              for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < x.length; j++) {
                  m[i][j] = m[i][j] * w + x[i] * x[j];
                }
              }
              s += frob(m, w) / (k + 1);
            }
            return s;
          }

          /** A ragged 3-D parameter through a helper. */
          @Differentiable
          public static double slabs(double[][][] t, double w) {
            return w * sum3(t) + Math.exp(w * sum3(t) / 10);
          }

          /** Forward mode through a helper of a matrix. */
          @Differentiable(forward = true)
          public static double fwd(double[][] a, double w) {
            return frob(a, w) * w;
          }

          /** An instance helper of a matrix, reading a field. */
          double scaled(double[][] a) {
            return scale * frob(a, scale);
          }

          @Differentiable
          public double onSelf(double[][] a, double x) {
            return scaled(a) * x;
          }

          private static double dot(double[] u, double[] v) {
            double s = 0;
            for (int i = 0; i < u.length; i++) {
              s += u[i] * v[i];
            }
            return s;
          }

          /** Rows a[i] passed to a helper: a matrix-vector product's norm, through softplus. */
          @Differentiable
          public static double rows(double[][] a, double[] x) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              double r = dot(a[i], x);
              s += Math.log1p(Math.exp(r)) + dot(a[i], a[i]) * 0.1;
            }
            return s;
          }

          /** A row alias, a row of a local matrix overwritten in a loop, and a 3-D array's slab. */
          @Differentiable(forward = true)
          public static double rowKinds(double[][][] t, double[] x, double w) {
            double[][] m = new double[2][x.length];
            double s = 0;
            for (int k = 0; k < 3; k++) {
              for (int i = 0; i < 2; i++) {
                double[] row = m[i];
                for (int j = 0; j < x.length; j++) {
                  row[j] = Math.sin(row[j] + w * x[j] * (i + 1));
                }
                s += dot(row, x) * dot(m[i], m[1 - i]);
              }
            }
            for (int i = 0; i < t.length; i++) {
              s += frob(t[i], w) + dot(t[i][0], x);
            }
            return s;
          }

          static void scaleInPlace(double[] v, double w) {
            for (int i = 0; i < v.length; i++) {
              v[i] = v[i] * w;
            }
          }

          static void outer(double[][] m, double[] x) {
            for (int i = 0; i < m.length; i++) {
              for (int j = 0; j < m[i].length; j++) {
                m[i][j] = Math.sin(x[i] * x[j]);
              }
              scaleInPlace(m[i], x[i]);
            }
          }

          /** void helpers writing into a local matrix and into its rows (inlined at the call). */
          @Differentiable
          public static double voidWrites(double[] x, double w) {
            double[][] m = new double[x.length][x.length];
            m[0][0] = x[0];
            scaleInPlace(m[0], w);
            outer(m, x);
            double[] r = m[1];
            scaleInPlace(r, w);
            double s = 0;
            for (int i = 0; i < m.length; i++) {
              scaleInPlace(m[i], w + i);
              s += dot(m[i], x);
            }
            return s;
          }

          /** onSelf written statically, for the finite-difference check. */
          @Differentiable
          public static double onSelfStatic(double[][] a, double x) {
            return 1.5 * frob(a, 1.5) * x;
          }
        }
        """);
  }

  static final double[][] A = {{0.5, -0.2, 0.9}, {0.4, -0.6, 0.3}, {0.1, 0.7, -0.8}};
  static final double[][] RAGGED = {{0.5, -0.2, 0.9}, {0.4}, {}, {0.1, 0.7}};

  @Test
  void parameterMatrixToHelpers() {
    Gradients.assertMatches(c, "p.NdCalls", "params", 1e-6, A, new double[] {0.3, -0.7, 1.1}, 0.8);
    double[][] ga = (double[][]) Compiled.components(c.call("p.NdCallsGrad", "params", A,
        new double[] {0.3, -0.7, 1.1}, 0.8)).get("a");
    assertEquals(3, ga.length);
  }

  @Test
  void localMatrixToAHelperInALoop() {
    Gradients.assertMatches(c, "p.NdCalls", "local", 1e-6, new double[] {0.3, -0.7, 1.1}, 0.8);
  }

  @Test
  void raggedThreeDimensional() {
    double[][][] t = {{{0.1, 0.2, 0.7}, {-0.3}}, {{0.2, -0.1}, {0.3, 0.3, 0.1}, {}}};
    Gradients.assertMatches(c, "p.NdCalls", "slabs", 1e-6, t, 0.4);
  }

  @Test
  void raggedParameterToAHelper() {
    Gradients.assertMatches(c, "p.NdCalls", "fwd", 1e-6, RAGGED, 0.6);
  }

  @Test
  void forwardModeAgreesWithTheGradient() throws Exception {
    double[][] da = {{0.3, -0.1, 0.2}, {0.5}, {}, {-0.4, 0.8}};
    double dw = 0.7;
    Object jvp = c.load("p.NdCallsGrad").getMethod("fwdJvp", double[][].class, double.class, double[][].class,
        double.class).invoke(null, RAGGED, 0.6, da, dw);
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "fwd", RAGGED, 0.6));
    double expected = (double) g.get("w") * dw;
    double[] ga = Gradients.flatten(g.get("a"));
    double[] fd = Gradients.flatten(da);
    for (int i = 0; i < ga.length; i++) {
      expected += ga[i] * fd[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp).get("tangent"), 1e-12);
  }

  @Test
  void rowsToAHelper() {
    Gradients.assertMatches(c, "p.NdCalls", "rows", 1e-6, A, new double[] {0.3, -0.7, 1.1});
    Gradients.assertMatches(c, "p.NdCalls", "rows", 1e-6, RAGGED_WIDE, new double[] {0.3, -0.7});
  }

  static final double[][] RAGGED_WIDE = {{0.5, -0.2}, {0.4, 0.8}};

  static final double[][][] T = {{{0.1, 0.2, 0.7}, {-0.3}}, {{0.2, -0.1, 0.4}, {0.3, 0.3, 0.1}, {}}};

  @Test
  void rowAliasesLocalRowsAndSlabs() throws Exception {
    double[] x = {0.3, -0.7, 1.1};
    Gradients.assertMatches(c, "p.NdCalls", "rowKinds", 1e-6, T, x, 0.8);
    double[][][] dt = {{{0.5, -1, 0.25}, {2}}, {{0.1, 0.3, -0.2}, {1, -1, 0.5}, {}}};
    double[] dx = {0.2, 0.4, -0.6};
    double dw = -0.3;
    Object jvp = c.load("p.NdCallsGrad").getMethod("rowKindsJvp", double[][][].class, double[].class, double.class,
        double[][][].class, double[].class, double.class).invoke(null, T, x, 0.8, dt, dx, dw);
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "rowKinds", T, x, 0.8));
    double expected = (double) g.get("w") * dw;
    double[] gt = Gradients.flatten(g.get("t"));
    double[] ft = Gradients.flatten(dt);
    for (int i = 0; i < gt.length; i++) {
      expected += gt[i] * ft[i];
    }
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < gx.length; i++) {
      expected += gx[i] * dx[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp).get("tangent"), 1e-10);
  }

  @Test
  void voidHelpersWriteIntoAMatrixAndItsRows() {
    Gradients.assertMatches(c, "p.NdCalls", "voidWrites", 1e-6, new double[] {0.3, -0.7, 1.1}, 0.8);
  }

  @Test
  void nDimensionalFieldsAreData() throws Exception {
    Object self = c.load("p.NdCalls").getConstructor().newInstance();
    double[] x = {0.3, -0.7, 1.1};
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "fields", self, x));
    double[] gx = (double[]) g.get("x");
    java.lang.reflect.Method f = c.load("p.NdCalls").getMethod("fields", double[].class);
    for (int i = 0; i < x.length; i++) {
      double[] up = x.clone();
      double[] down = x.clone();
      up[i] += 1e-6;
      down[i] -= 1e-6;
      double fd = ((double) f.invoke(self, up) - (double) f.invoke(self, down)) / 2e-6;
      assertEquals(fd, gx[i], 1e-6);
    }
    assertEquals((double) f.invoke(self, x), (double) g.get("value"), 1e-12);
  }

  @Test
  void intMatrixParameter() {
    Gradients.assertMatches(c, "p.NdCalls", "sparse", 1e-6, new double[] {0.5, -1.5, 2.0},
        new int[][] {{0, 2}, {1, 0}, {2, 1}}, new double[] {0.3, -0.7, 1.1});
  }

  @Test
  void instanceHelperOfAMatrix() throws Exception {
    Object self = c.load("p.NdCalls").getConstructor().newInstance();
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "onSelf", self, A, 0.9));
    Map<String, Object> expected = Compiled.components(c.call("p.NdCallsGrad", "onSelfStatic", A, 0.9));
    assertEquals((double) expected.get("x"), (double) g.get("x"), 1e-12);
    org.junit.jupiter.api.Assertions.assertArrayEquals(Gradients.flatten(expected.get("a")),
        Gradients.flatten(g.get("a")), 1e-12);
    Gradients.assertMatches(c, "p.NdCalls", "onSelfStatic", 1e-6, A, 0.9);
  }
}

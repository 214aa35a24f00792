package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Methods returning double[][] and double[][][] (ragged too), annotated or differentiated
 * implicitly (private helpers): their vector-Jacobian product (fVjp with a seed of the result's
 * shape) and forward mode, called by differentiable methods that hold the result in a local,
 * index it, iterate over its rows and pass them on; checked against finite differences.
 */
class MultiDimResultsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdResults", """
        package p;
        import dev.adjoint.Differentiable;
        public final class NdResults {
          /** An outer product through sin: a private helper, differentiated implicitly. */
          private static double[][] outer(double[] u, double w) {
            double[][] m = new double[u.length][u.length];
            for (int i = 0; i < u.length; i++) {
              for (int j = 0; j < u.length; j++) {
                m[i][j] = Math.sin(w * u[i]) * u[j];
              }
            }
            return m;
          }

          /** A ragged result written as an initializer. */
          @Differentiable
          public static double[][] ragged(double x, double y) {
            return new double[][] {{x * y, Math.exp(x)}, {y * y}, {}, {x - y, x, Math.cos(y)}};
          }

          /** A 3-D result, from a loop. */
          static double[][][] cube(double[] v) {
            double[][][] t = new double[v.length][2][v.length];
            for (int i = 0; i < v.length; i++) {
              for (int j = 0; j < v.length; j++) {
                t[i][0][j] = v[i] * v[j];
                t[i][1][j] = Math.tanh(v[i] - v[j]);
              }
            }
            return t;
          }

          private static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              s += a[i] * b[i];
            }
            return s;
          }

          /** A matrix from a helper, read by elements, rows passed to another helper. */
          @Differentiable(forward = true)
          public static double useOuter(double[] x, double w) {
            double[][] m = outer(x, w);
            double s = 0;
            for (int i = 0; i < m.length; i++) {
              for (int j = 0; j < m[i].length; j++) {
                s += m[i][j] * m[j][i];
              }
              s += dot(m[i], x);
            }
            return s;
          }

          /** A ragged result of an annotated method, iterated by rows. */
          @Differentiable
          public static double useRagged(double x, double y) {
            double s = 0;
            double[][] r = ragged(x, y * x);
            for (double[] row : r) {
              for (double v : row) {
                s += v * v;
              }
            }
            return s;
          }

          /** A 3-D result, made in a loop each iteration. */
          @Differentiable
          public static double useCube(double[] v, double w) {
            double s = 0;
            for (int k = 0; k < 3; k++) {
              double[][][] t = cube(v);
              for (int i = 0; i < t.length; i++) {
                s += t[i][k % 2][i] * w + dot(t[i][1], v) * (k + 1);
              }
            }
            return s;
          }
        }
        """);
  }

  static final double[] X = {0.3, -0.7, 1.1};

  @Test
  void helperReturningAMatrix() {
    Gradients.assertMatches(c, "p.NdResults", "useOuter", 1e-6, X, 0.8);
  }

  @Test
  void forwardModeThroughAMatrixValuedHelper() throws Exception {
    double[] dx = {0.2, 0.4, -0.6};
    double dw = -0.3;
    Method jvp = c.load("p.NdResultsGrad").getMethod("useOuterJvp", double[].class, double.class, double[].class,
        double.class);
    Map<String, Object> g = Compiled.components(c.call("p.NdResultsGrad", "useOuter", X, 0.8));
    double expected = (double) g.get("w") * dw;
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < gx.length; i++) {
      expected += gx[i] * dx[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp.invoke(null, X, 0.8, dx, dw)).get("tangent"), 1e-10);
  }

  @Test
  void raggedResultOfAnAnnotatedMethod() throws Exception {
    Gradients.assertMatches(c, "p.NdResults", "useRagged", 1e-6, 0.6, -1.2);
    // its VJP directly: the seed has the result's shape
    double[][] seed = {{1, 0.5}, {2}, {}, {-1, 0.25, 3}};
    Method vjp = c.load("p.NdResultsGrad").getMethod("raggedVjp", double.class, double.class, double[][].class);
    Map<String, Object> r = Compiled.components(vjp.invoke(null, 0.6, -1.2, seed));
    double x = 0.6;
    double y = -1.2;
    double dx = seed[0][0] * y + seed[0][1] * Math.exp(x) + seed[3][0] + seed[3][1];
    double dy = seed[0][0] * x + seed[1][0] * 2 * y - seed[3][0] - seed[3][2] * Math.sin(y);
    assertEquals(dx, (double) r.get("x"), 1e-12);
    assertEquals(dy, (double) r.get("y"), 1e-12);
    double[][] value = (double[][]) r.get("value");
    assertEquals(4, value.length);
    assertEquals(0, value[2].length);
    // forward mode of the matrix-valued method: the tangent has the result's shape
    Method jvp = c.load("p.NdResultsGrad").getMethod("raggedJvp", double.class, double.class, double.class, double.class);
    double[][] t = (double[][]) Compiled.components(jvp.invoke(null, x, y, 1.0, 0.0)).get("tangent");
    assertEquals(Math.exp(x), t[0][1], 1e-12);
    assertEquals(1, t[3][1], 1e-12);
  }

  @Test
  void threeDimensionalResultInALoop() {
    Gradients.assertMatches(c, "p.NdResults", "useCube", 1e-6, X, 0.8);
  }
}

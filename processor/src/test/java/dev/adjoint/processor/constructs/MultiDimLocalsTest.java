package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * double[][] and double[][][] locals declared in loops and branches (a fresh array and adjoint
 * each time the declaration runs) and n-D array initializers ({{a, b}, {c}}, new double[][]
 * {...}, ragged rows included). Gradients against finite differences and closed forms, forward
 * mode against the gradient.
 */
class MultiDimLocalsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdLocals", """
        package p;
        import dev.adjoint.Differentiable;
        public final class NdLocals {
          /** A fresh matrix per iteration, made from active values and reduced into a sum. */
          @Differentiable
          public static double matrixPerIteration(double[] x, double y) {
            double s = 0;
            for (int k = 0; k < x.length; k++) {
              double[][] m = new double[2][x.length];
              for (int j = 0; j < x.length; j++) {
                m[0][j] = x[k] * x[j] + y;
                m[1][j] = Math.sin(m[0][j] * s + x[j]);
              }
              for (int j = 0; j < x.length; j++) {
                m[1][j] *= m[0][j];
                s += m[0][j] * m[1][j];
              }
            }
            return s;
          }

          /** A matrix local in a branch; the other branch makes one from an initializer. */
          @Differentiable
          public static double branchMatrix(double x, double y) {
            double s = x;
            if (x > 0) {
              double[][] m = new double[2][2];
              m[0][0] = x * y;
              m[0][1] = Math.exp(x);
              m[1][0] = y;
              m[1][1] = m[0][0] * m[1][0];
              s = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            } else {
              double[][] m = {{x, y}, {y * y, 2}};
              s = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            }
            return s;
          }

          /** A 2x2 initializer: its determinant. */
          @Differentiable
          public static double det2(double a, double b, double c, double d) {
            double[][] m = {{a, b}, {c, d}};
            return m[0][0] * m[1][1] - m[0][1] * m[1][0];
          }

          /** Ragged rows with new double[][] {...}, an int element, rows read by enhanced for. */
          @Differentiable
          public static double raggedInit(double[] x, double y) {
            double[][] m = new double[][] {{x[0]}, {x[1], x[0] * x[1], 3}, {}, new double[] {y, 1}};
            double s = 0;
            for (double[] row : m) {
              for (int j = 0; j < row.length; j++) {
                s += (j + 1) * row[j] * row[j] * y;
              }
            }
            m[1][2] = s;
            return s * m[1][2] + m[3][0] * m.length + m[2].length;
          }

          /** A 3-D initializer, ragged, and var. */
          @Differentiable
          public static double init3d(double x, double y) {
            var t = new double[][][] {{{x, 1}, {y}}, {{x * y, 2, y}}};
            double s = 0;
            for (double[][] slab : t) {
              for (double[] row : slab) {
                for (double v : row) {
                  s += Math.tanh(v * x);
                }
              }
            }
            return s + t[1][0][2] * t[0][1][0];
          }

          /** A ragged initializer per iteration of a loop that is not counted (its index taped). */
          @Differentiable
          public static double initPerIteration(double[] x) {
            double s = 1;
            int i = 0;
            while (i < x.length) {
              double[][] w = {{x[i], s}, {s * x[i]}};
              w[0][1] = Math.cos(w[0][1]) + w[1][0];
              s = w[0][0] * w[0][1] + 0.5 * w[1][0];
              i = i + 1;
            }
            return s;
          }

          /** A 3-D local per iteration, a row local of it, an early exit from the loop. */
          @Differentiable
          public static double slabPerIteration(double[] x, int stop) {
            double s = 0;
            for (int k = 0; k < x.length; k++) {
              double[][][] t = new double[2][2][2];
              double[] r = t[1][0];
              r[0] = x[k] * (k + 1);
              r[1] = r[0] * r[0] + s;
              t[0][1][1] = Math.sqrt(1 + r[1] * r[1]);
              if (k == stop) {
                return s + t[0][1][1];
              }
              s += t[0][1][1] * r[0];
            }
            return s;
          }

          /** A matrix per switch arm and per inner iteration, break and continue, empty shapes. */
          @Differentiable
          public static double switchAndJumps(double[] x, int mode) {
            double s = 0;
            double[][] none = {};
            double[][][] empties = {{}, {}};
            outer:
            for (int k = 0; k < x.length; k++) {
              switch ((k + mode) % 3) {
                case 0 -> {
                  double[][] m = {{x[k]}, {x[k] * s, 1}};
                  s += m[1][0] + m[0][0] * m[1][1];
                }
                case 1 -> {
                  double[][] m = new double[1][1];
                  m[0][0] = Math.cos(x[k] + s);
                  s = s * m[0][0];
                }
                default -> s += x[k];
              }
              for (int j = 0; j < 3; j++) {
                double[][] q = new double[][] {{s, x[k] * j}};
                if (j == 1) {
                  continue;
                }
                if (q[0][0] > 50) {
                  break outer;
                }
                s += Math.sin(q[0][1]) * q[0][0] * 0.1;
              }
            }
            return s + none.length + empties[1].length;
          }

          /** Forward mode through a matrix made in each iteration and one made in a branch. */
          @Differentiable(forward = true)
          public static double fwdLocals(double[] x, double y) {
            double s = 0;
            for (int k = 0; k < x.length; k++) {
              double[][] m = {{x[k], y}, {y * x[k], 1}};
              if (x[k] > 0) {
                double[][] e = new double[1][2];
                e[0][0] = Math.exp(m[0][0]);
                e[0][1] = e[0][0] * m[1][0];
                s += e[0][1];
              }
              s += m[0][0] * m[1][1] - m[0][1] * m[1][0];
            }
            return s * s;
          }
        }
        """);
  }

  static final double[] X = {0.4, -0.7, 1.1};

  @Test
  void freshMatrixPerIteration() {
    Gradients.assertMatches(c, "p.NdLocals", "matrixPerIteration", 1e-6, X, 0.3);
    Gradients.assertMatches(c, "p.NdLocals", "matrixPerIteration", 1e-6, new double[] {0.9}, -0.5);
  }

  @Test
  void matrixInABranch() {
    Gradients.assertMatches(c, "p.NdLocals", "branchMatrix", 1e-6, 0.7, -0.4);
    Gradients.assertMatches(c, "p.NdLocals", "branchMatrix", 1e-6, -0.6, 1.3);
  }

  @Test
  void initializerDeterminantHasClosedForm() {
    Map<String, Object> g = Compiled.components(c.call("p.NdLocalsGrad", "det2", 1.5, -2.0, 0.5, 3.0));
    assertEquals(1.5 * 3.0 - (-2.0) * 0.5, (double) g.get("value"), 0);
    assertEquals(3.0, (double) g.get("a"), 0); // d(ad - bc)/da = d
    assertEquals(-0.5, (double) g.get("b"), 0);
    assertEquals(2.0, (double) g.get("c"), 0);
    assertEquals(1.5, (double) g.get("d"), 0);
  }

  @Test
  void raggedInitializer() {
    Gradients.assertMatches(c, "p.NdLocals", "raggedInit", 1e-6, new double[] {0.4, -0.7}, 0.9);
  }

  @Test
  void threeDimensionalInitializer() {
    Gradients.assertMatches(c, "p.NdLocals", "init3d", 1e-6, 0.6, -0.8);
  }

  @Test
  void initializerPerIterationOfATapedLoop() {
    Gradients.assertMatches(c, "p.NdLocals", "initPerIteration", 1e-6, X);
  }

  @Test
  void threeDimensionalLocalPerIterationWithEarlyExit() {
    Gradients.assertMatches(c, "p.NdLocals", "slabPerIteration", 1e-6, X, 1);
    Gradients.assertMatches(c, "p.NdLocals", "slabPerIteration", 1e-6, X, 7);
  }

  @Test
  void switchArmsJumpsAndEmptyShapes() {
    for (int mode = 0; mode < 3; mode++) {
      Gradients.assertMatches(c, "p.NdLocals", "switchAndJumps", 1e-6, X, mode);
    }
    Gradients.assertMatches(c, "p.NdLocals", "switchAndJumps", 1e-6, new double[] {}, 0);
  }

  @Test
  void forwardModeThroughLocalMatrices() throws Exception {
    double y = 0.8;
    double[] dx = {0.3, -1.0, 0.5};
    double dy = -0.6;
    Object jvp = c.load("p.NdLocalsGrad").getMethod("fwdLocalsJvp", double[].class, double.class,
        double[].class, double.class).invoke(null, X, y, dx, dy);
    double tangent = (double) Compiled.components(jvp).get("tangent");
    Map<String, Object> g = Compiled.components(c.call("p.NdLocalsGrad", "fwdLocals", X, y));
    double expected = (double) g.get("y") * dy;
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < X.length; i++) {
      expected += gx[i] * dx[i];
    }
    assertEquals(expected, tangent, 1e-12);
    Gradients.assertMatches(c, "p.NdLocals", "fwdLocals", 1e-6, X, y);
  }
}

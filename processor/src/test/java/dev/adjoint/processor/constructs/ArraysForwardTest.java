package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Forward mode and Hessians through array initializers, arrays made in loops and int[] data. */
class ArraysForwardTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Fw", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Fw {
          @Differentiable(forward = true)
          public static double rows(double[] x, double a) {
            int[] perm = new int[x.length];
            for (int i = 0; i < x.length; i++) {
              perm[i] = (i + 1) % x.length;
            }
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double[] row = {x[i] * a, x[perm[i]], 1};
              double[] copy = row.clone();
              copy[2] = Math.sin(row[0]);
              s += copy[0] * copy[1] + copy[2];
            }
            return s;
          }

          @Differentiable(hessian = true)
          public static double literal(double x, double y) {
            double[] v = {x * y, Math.exp(x), y};
            double s = 0;
            for (int i = 0; i < 3; i++) {
              double[] w = new double[] {v[i], v[(i + 1) % 3]};
              s += w[0] * w[1];
            }
            return s;
          }
        }
        """);
  }

  @Test
  void forwardTangentMatchesTheGradient() {
    double[] x = {0.3, -1.2, 2.5};
    double a = 0.8;
    double[] dx = {0.5, -0.25, 1.0};
    double da = 0.3;
    Map<String, Object> g = Compiled.components(c.call("p.FwGrad", "rows", x.clone(), a));
    double[] gx = (double[]) g.get("x");
    double expected = (double) g.get("a") * da;
    for (int i = 0; i < x.length; i++) {
      expected += gx[i] * dx[i];
    }
    Map<String, Object> t = Compiled.components(c.call("p.FwGrad", "rowsJvp", x.clone(), a, dx, da));
    assertEquals(expected, (double) t.get("tangent"), 1e-10);
    assertEquals((double) g.get("value"), (double) t.get("value"), 1e-12);
  }

  @Test
  void hessianMatchesFiniteDifferencesOfTheGradient() {
    double x = 0.4;
    double y = -0.7;
    Map<String, Object> h = Compiled.components(c.call("p.FwGrad", "literalHessian", x, y));
    double[][] hess = (double[][]) h.get("hessian");
    double e = 1e-5;
    double[] gxp = grad(x + e, y);
    double[] gxm = grad(x - e, y);
    double[] gyp = grad(x, y + e);
    double[] gym = grad(x, y - e);
    for (int i = 0; i < 2; i++) {
      assertEquals((gxp[i] - gxm[i]) / (2 * e), hess[i][0], 1e-6);
      assertEquals((gyp[i] - gym[i]) / (2 * e), hess[i][1], 1e-6);
    }
  }

  static double[] grad(double x, double y) {
    Map<String, Object> g = Compiled.components(c.call("p.FwGrad", "literal", x, y));
    return new double[] {(double) g.get("x"), (double) g.get("y")};
  }
}

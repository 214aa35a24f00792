package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forward mode ({@code fJvp}, and the Jacobian of a vector-valued method) through a call of a
 * helper that takes an array. The reverse sweep of a method may call a helper's accumulating
 * overload, which has no gradient record; forward mode takes a call's tangent from that record,
 * so methods with a forward mode keep the records. (Before, the tangent of such a call was a
 * silent zero.)
 */
class ForwardThroughArrayHelpersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Fah", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Fah {
          @Differentiable(forward = true)
          public static double scalar(double[] w, double x) {
            double[] f = {x, x * w[1], 1};
            return product(f, w) + product(w, w) * x;
          }

          @Differentiable
          public static double[] vector(double[] w) {
            double[] r = new double[2];
            double[] k = {1, 2, 3};
            r[0] = product(w, w);
            r[1] = Math.sin(product(w, k));
            return r;
          }

          /** x is outside wrt but set from y: its tangent starts at zero and then follows y's. */
          @Differentiable(wrt = "y")
          public static double[] reassigned(double x, double y) {
            double[] out = new double[2];
            x *= 0.5 + Math.cos(y);
            out[0] = x * y;
            out[1] = Math.sin(x);
            return out;
          }

          private static double product(double[] a, double[] b) {
            return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
          }
        }
        """);
  }

  @Test
  void theTangentOfAScalarMethodIsTheGradientAlongTheDirection() {
    double[] w = {0.4, -0.7, 1.1};
    double x = 0.8;
    double[] dw = {0.3, 0.2, -0.5};
    double dx = -0.4;
    Map<String, Object> g = Compiled.components(c.call("p.FahGrad", "scalar", w, x));
    double[] gw = (double[]) g.get("w");
    double expected = (double) g.get("x") * dx;
    for (int i = 0; i < 3; i++) {
      expected += gw[i] * dw[i];
    }
    Map<String, Object> t = Compiled.components(c.call("p.FahGrad", "scalarJvp", w, x, dw, dx));
    assertTrue(Math.abs(expected) > 0.1);
    assertEquals(expected, (double) t.get("tangent"), 1e-12);
  }

  @Test
  void aParameterOutsideWrtSetFromOneInside() {
    double x = 0.7;
    double y = -0.4;
    double[][] j = (double[][]) c.call("p.FahGrad", "reassignedJacobian", x, y);
    double h = 1e-6;
    double[] fu = (double[]) Compiled.components(c.call("p.FahGrad", "reassigned", x, y + h)).get("value");
    double[] fd = (double[]) Compiled.components(c.call("p.FahGrad", "reassigned", x, y - h)).get("value");
    for (int row = 0; row < 2; row++) {
      assertEquals((fu[row] - fd[row]) / (2 * h), j[row][0], 1e-6);
    }
    double[] t = (double[]) Compiled.components(c.call("p.FahGrad", "reassignedJvp", x, y, 0.3)).get("tangent");
    assertEquals(j[0][0] * 0.3, t[0], 1e-12);
    assertEquals(j[1][0] * 0.3, t[1], 1e-12);
  }

  @Test
  void theJacobianOfAVectorValuedMethodMatchesDifferences() {
    double[] w = {0.4, -0.7, 1.1};
    double[][] j = (double[][]) c.call("p.FahGrad", "vectorJacobian", (Object) w);
    double h = 1e-6;
    for (int col = 0; col < 3; col++) {
      double[] up = w.clone();
      double[] down = w.clone();
      up[col] += h;
      down[col] -= h;
      double[] fu = (double[]) Compiled.components(c.call("p.FahGrad", "vector", (Object) up)).get("value");
      double[] fd = (double[]) Compiled.components(c.call("p.FahGrad", "vector", (Object) down)).get("value");
      for (int row = 0; row < 2; row++) {
        double expected = (fu[row] - fd[row]) / (2 * h);
        assertEquals(expected, j[row][col], 1e-6 * Math.max(1, Math.abs(expected)), "J[" + row + "][" + col + "]");
      }
    }
  }
}

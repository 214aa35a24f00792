package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Custom derivatives, wrt selection, and calls taken both ways through branches. */
class CallsAndSelectionTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Calls", """
        package p;
        import dev.adjoint.Derivative;
        import dev.adjoint.Differentiable;
        public final class Calls {
          public static double softplus(double x) {
            return Math.log1p(Math.exp(x));
          }
          // deliberately three times the true derivative: proves callers use this method
          @Derivative(of = "softplus")
          public static double softplusDerivative(double x) {
            return 3 / (1 + Math.exp(-x));
          }
          public static double area(double w, int n, double h) {
            return w * h * n;
          }
          @Derivative(of = "area")
          public static double[] areaDerivative(double w, int n, double h) {
            return new double[] {h * n, w * n};
          }
          @Differentiable
          public static double usesCustom(double x, double y) {
            return softplus(x * y) + area(x, 3, y) * x;
          }
          @Differentiable
          public static double kink(double x, double y) {
            if (x > y) {
              return x * x * y;
            }
            return Math.sin(x) + y;
          }
          @Differentiable
          public static double callsKink(double a, double b) {
            return kink(a, b) * kink(b, a) + kink(a * 2, b);
          }
          @Differentiable(wrt = {"y"})
          public static double onlyY(double x, double y) {
            double heavy = Math.exp(Math.sin(x) * Math.cos(x));
            return heavy * y * y;
          }
          @Differentiable(wrt = {"w"})
          public static double weights(double[] w, double[] data, double scale) {
            double s = 0;
            for (int i = 0; i < w.length; i++) {
              s += w[i] * data[i] * scale;
            }
            return s * s;
          }
        }
        """);
  }

  @Test
  void callersUseTheCustomDerivative() {
    double x = 0.4;
    double y = 1.7;
    Map<String, Object> g = Compiled.components(c.call("p.CallsGrad", "usesCustom", x, y));
    double sig = 1 / (1 + Math.exp(-x * y));
    // d/dx [softplus(xy) + 3xy * x] with softplus' replaced by 3 sigma
    assertEquals(3 * sig * y + 6 * x * y, (double) g.get("x"), 1e-12);
    assertEquals(3 * sig * x + 3 * x * x, (double) g.get("y"), 1e-12);
  }

  @Test
  void callsThroughBranchesTakenBothWays() {
    assertMatches(c, "p.Calls", "callsKink", 1e-6, 0.9, 0.3);
    assertMatches(c, "p.Calls", "callsKink", 1e-6, 0.3, 0.9);
    assertMatches(c, "p.Calls", "callsKink", 1e-6, -0.5, 0.2);
  }

  @Test
  void wrtComputesOnlyTheNamedGradientAndNoWorkForTheOthers() {
    assertMatches(c, "p.Calls", "onlyY", 1e-6, 0.8, -1.3);
    assertMatches(c, "p.Calls", "weights", 1e-6, new double[] {0.5, -0.2, 1.5}, new double[] {1, 2, 3}, 0.7);
    Map<String, Object> g = Compiled.components(c.call("p.CallsGrad", "onlyY", 0.8, -1.3));
    assertEquals(java.util.List.of("value", "y"), java.util.List.copyOf(g.keySet()));
    String src = c.generatedSource("p.CallsGrad");
    String onlyY = src.substring(src.indexOf("public static OnlyY onlyY"), src.indexOf("public static Weights"));
    // nothing flows back into x: no adjoint of x, of heavy, or of the sin/cos temporaries
    assertFalse(onlyY.contains("_d_x"), onlyY);
    assertFalse(onlyY.contains("_d_heavy"), onlyY);
    assertFalse(onlyY.contains("Math.cos(x) *"), onlyY);
    String weights = src.substring(src.indexOf("public static Weights"));
    assertFalse(weights.contains("_d_data"), weights);
    assertFalse(weights.contains("_d_scale"), weights);
    assertTrue(weights.contains("_d_w"), weights);
  }
}

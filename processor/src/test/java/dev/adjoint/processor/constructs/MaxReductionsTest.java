package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loops that only take a running maximum or minimum (analysis.MaxReductions): the forward sweep
 * notes the last iteration that took the operand, the reverse sweep adds the adjoint there alone;
 * nothing is taped and the loop is not run backwards. Ties follow the rule for max and min (to
 * the first operand). Loops that do anything else, or whose operand reads an active scalar, are
 * taped as before. Every case against finite differences (away from ties) and the exact
 * gradient at ties.
 */
class MaxReductionsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Reduce", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Reduce {
          @Differentiable(hessian = true)
          public static double logsumexp(double[] x) {
            double a = x[0];
            for (int i = 1; i < x.length; i++) {
              a = Math.max(a, x[i]);
            }
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
              sum += Math.exp(x[i] - a);
            }
            return a + Math.log(sum);
          }

          /** The operand first, an expression of two arrays, a minimum after, read afterwards. */
          @Differentiable
          public static double spread(double[] x, double[] w) {
            double hi = -1e300;
            for (int i = 0; i < x.length; i++) {
              hi = Math.max(x[i] * w[i] + 0.5, hi);
            }
            double lo = hi;
            for (int i = x.length - 1; i >= 0; i--) {
              lo = Math.min(lo, x[i] - 2 * w[i]);
            }
            return hi * hi - 3 * lo + hi * lo;
          }

          /** Twice the maximum: for the gradient at ties. */
          @Differentiable
          public static double twiceMax(double[] x) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i]);
            }
            return 2 * m;
          }

          /** Twice the maximum with the operand first: ties go to the operand. */
          @Differentiable
          public static double twiceMaxOperandFirst(double[] x) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(x[i], m);
            }
            return 2 * m;
          }

          /** The loop does more than the maximum: taped as before. */
          @Differentiable
          public static double alsoSums(double[] x) {
            double m = x[0];
            double s = 0;
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i]);
              s += x[i] * m;
            }
            return m + s;
          }

          /** The operand reads an active scalar: taped as before. */
          @Differentiable
          public static double scaled(double[] x, double y) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i] * y);
            }
            return m * y;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.ReduceGrad");
    int at = source.indexOf(signature);
    assertTrue(at >= 0, signature + " in\n" + source);
    String m = source.substring(at);
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void logSumExpTapesOnlyTheExponentials() {
    String m = method(" logsumexp(double[] x)");
    assertFalse(m.contains("pushDouble(a)"), m);
    assertTrue(m.contains("double _aBefore = a;"), m);
    assertTrue(m.contains("if (!(a >= _t"), m);
    assertTrue(m.contains("if (_aTaken) {"), m);
    assertTrue(m.contains("a = _aBefore;"), m);
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {0.3, -1.2, 2.5, 0.7, 2.4});
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {3.0, -1.2, 2.5});
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {0.4});
  }

  @Test
  void theHessianOfLogSumExpTimesAVectorIsTheClosedForm() {
    // H = diag(p) - p pᵀ with p the softmax: Hv = p ∘ v - p (p · v)
    double[] x = {0.3, -1.2, 2.5, 0.7, 2.4};
    double[] v = {0.9, 0.4, -1.3, 0.2, 0.6};
    Map<String, Object> hvp = Compiled.components(c.call("p.ReduceGrad", "logsumexpHvp", x, v));
    double max = 2.5;
    double sum = 0;
    for (double xi : x) {
      sum += Math.exp(xi - max);
    }
    double pv = 0;
    double[] p = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      p[i] = Math.exp(x[i] - max) / sum;
      pv += p[i] * v[i];
    }
    double[] product = (double[]) hvp.get("xHvp");
    double[] gradient = (double[]) hvp.get("x");
    for (int i = 0; i < x.length; i++) {
      assertEquals(p[i] * v[i] - p[i] * pv, product[i], 1e-12, "Hv[" + i + "]");
      assertEquals(p[i], gradient[i], 1e-12, "gradient[" + i + "]");
    }
  }

  @Test
  void anOperandFirstAndAMinimumOfExpressionsMatchFiniteDifferences() {
    String m = method(" spread(double[] x, double[] w)");
    assertFalse(m.contains("pushDouble(hi)"), m);
    assertFalse(m.contains("pushDouble(lo)"), m);
    double[] w = {0.9, -0.4, 1.3, 0.2};
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[] {0.3, -1.2, 2.5, 0.7}, w);
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[] {-0.3, 1.2, -2.5, 0.1}, w);
    // no iteration takes the operand of the maximum: its adjoint stays with the value before
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[0], new double[0]);
  }

  @Test
  void tiesGoToTheFirstOperand() {
    double[] x = {1, 3, 3, 2};
    Map<String, Object> g = Compiled.components(c.call("p.ReduceGrad", "twiceMax", (Object) x));
    assertEquals(6.0, (double) g.get("value"), 0);
    assertArrayEquals(new double[] {0, 2, 0, 0}, (double[]) g.get("x"), 0);
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMaxOperandFirst", (Object) x));
    assertArrayEquals(new double[] {0, 0, 2, 0}, (double[]) g.get("x"), 0);
    double[] flat = {2, 2, 2};
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMax", (Object) flat));
    assertArrayEquals(new double[] {2, 0, 0}, (double[]) g.get("x"), 0);
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMaxOperandFirst", (Object) flat));
    assertArrayEquals(new double[] {0, 0, 2}, (double[]) g.get("x"), 0);
  }

  @Test
  void loopsThatDoMoreOrReadAnActiveScalarAreTapedAsBefore() {
    assertTrue(method(" alsoSums(double[] x)").contains("_tape.pushDouble(m)"));
    assertTrue(method(" scaled(double[] x, double y)").contains("_tape.pushDouble(m)"));
    double[] x = {0.3, -1.2, 2.5, 0.7, 2.4};
    assertMatches(c, "p.Reduce", "alsoSums", 1e-6, (Object) x);
    assertMatches(c, "p.Reduce", "scaled", 1e-6, x, 0.8);
  }
}
